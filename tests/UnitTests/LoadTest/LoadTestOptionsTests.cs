using Sanmenxia.LoadTest;
using Sanmenxia.Security;
using Sanmenxia.Tooling;

namespace Sanmenxia.UnitTests.LoadTest;

/// <summary>The open-loop options, the wrk export's request lines and the pre-minted token table.</summary>
public sealed class LoadTestOptionsTests
{
    [Fact]
    public void Without_rate_the_resident_phases_run_closed_loop_and_rate_and_max_in_flight_are_parsed()
    {
        var closed = LoadTestOptions.Parse([]);
        var open = LoadTestOptions.Parse(["--rate", "4,383", "--max-in-flight", "2048"]);

        Assert.Null(closed.Rate);
        Assert.Equal(4_096, closed.MaxInFlight);
        Assert.Equal(4_383, open.Rate);
        Assert.Equal(2_048, open.MaxInFlight);
    }

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "NaN")]
    [InlineData("--rate", "200001")]
    [InlineData("--max-in-flight", "0")]
    public void Out_of_range_open_loop_values_are_refused(string option, string value) =>
        Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse([option, value]));

    [Fact]
    public void Clockin_skip_is_a_share_of_the_clock_in_order_and_defaults_to_none()
    {
        Assert.Equal(0, LoadTestOptions.Parse([]).ClockInSkip);
        Assert.Equal(0.16, LoadTestOptions.Parse(["--clockin-skip", "0.16", "--clockin-share", "0.08"]).ClockInSkip);
        Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse(["--clockin-skip", "1.5"]));
    }

    [Fact]
    public void The_wrk_export_needs_the_clockin_phase()
    {
        Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse(["--phases", "register,apply", "--export-wrk", "x"]));
        Assert.Equal("x", LoadTestOptions.Parse(["--phases", "clockin", "--export-wrk", "x"]).ExportWrk);
    }

    [Fact]
    public void A_wrk_request_line_is_token_key_and_body_tab_separated_and_refuses_tabs_inside()
    {
        Assert.Equal("t.o.k\tkey-1\t{\"temperature\":36.5}", WrkExport.Line("t.o.k", "key-1", "{\"temperature\":36.5}"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => WrkExport.Line("t", "k", "{\"a\":\"\t\"}"u8.ToArray()));
        Assert.Contains("wrk.thread:stop()", WrkExport.Script);
    }

    [Fact]
    public void The_token_table_assembles_exactly_the_tokens_the_minter_issues_without_minting_in_the_loop()
    {
        const string signingKey = "unit-test-signing-key-of-at-least-32-bytes!";
        const string keySecret = "unit-test-pseudonym-secret";
        string IdNumber(int i) => $"41120219800101{i:D3}X";
        string? Phone(int i) => i % 3 == 0 ? null : $"1390000{i:D4}";
        var issued = DateTimeOffset.Parse("2026-12-05T08:00:00Z");
        var table = new TokenTable(signingKey, keySecret, 10, IdNumber, Phone, issued, TimeSpan.FromDays(1));

        Assert.Equal(10, table.Mint([.. Enumerable.Range(0, 10)]));
        Assert.Equal(0, table.Mint([1, 2]));

        var keys = new PseudonymousKeys(keySecret);
        var minter = new ResidentTokenMinter(signingKey);
        for (var i = 0; i < 10; i++)
        {
            var expected = minter.Mint(keys.ForIdNumber(IdNumber(i)), Phone(i) is { } p ? keys.ForPhone(p) : null, issued, TimeSpan.FromDays(1));
            Assert.Equal(expected, table.Token(i));
        }
        Assert.Equal(0, table.MintedInLoop);
        Assert.True(table.MatchesMinter(4, signingKey));
    }

    [Fact]
    public void A_token_the_phase_did_not_mint_ahead_is_still_correct_and_counted()
    {
        var table = new TokenTable("unit-test-signing-key-of-at-least-32-bytes!", "unit-test-pseudonym-secret", 3, i => $"id{i}", _ => "13900000000",
            DateTimeOffset.Parse("2026-12-05T08:00:00Z"), TimeSpan.FromHours(1));

        Assert.False(table.IsMinted(2));
        Assert.StartsWith("eyJ", table.Token(2));
        Assert.Equal(1, table.MintedInLoop);
        Assert.True(table.IsMinted(2));
    }
}
