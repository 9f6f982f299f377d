namespace Sanmenxia.Residents;

/// <summary>
/// Which residents registered a phone number; key = the phone's pseudonymous key. A household head's
/// phone may stand for members without a phone, so it can list several residents; the first is its owner.
/// </summary>
[Alias("sanmenxia.IPhoneDirectoryGrain")]
public interface IPhoneDirectoryGrain : IGrainWithStringKey
{
    [Alias("Link")] Task LinkAsync(string residentKey);
    [Alias("Residents")] Task<IReadOnlyList<string>> GetResidentsAsync();
    /// <summary>Erasure: the resident is no longer reached by this phone, and the phone's tokens stop working.</summary>
    [Alias("Unlink")] Task UnlinkAsync(string residentKey);
    /// <summary>
    /// The generation of the phone's resident tokens: a token carries the generation it was issued in and stops working
    /// once the phone signs out (which starts the next one). Asked on every resident request: reads interleave.
    /// </summary>
    [Orleans.Concurrency.ReadOnly, Alias("TokenGeneration")] Task<int> GetTokenGenerationAsync();
    /// <summary>Signs the phone out everywhere: every resident token issued so far stops working. Returns the new generation.</summary>
    [Alias("RevokeTokens")] Task<int> RevokeTokensAsync();
}
