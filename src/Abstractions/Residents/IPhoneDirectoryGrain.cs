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
}
