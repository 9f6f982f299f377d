using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Tickets;

namespace Sanmenxia.IntegrationTests.Retention;

/// <summary>
/// The daily retention job on the fake clock (docs/data-governance.md): what is due is gone from the stores and from
/// the grains, what is not yet due stays, the aggregates stay, the audit trail records the counts; batches are bounded.
/// Each test has its own factory, because it walks the clock weeks ahead.
/// </summary>
public sealed class RetentionApiTests
{
    private static PassRecord Pass(string residentKey, DateTimeOffset at) => new(Guid.CreateVersion7(at), "cp-411202-0001", "411202", residentKey, "王*",
        PassDirection.In, at, CodeColour.Green, PassOutcome.Allowed, "green.allowed", "staff", PassMethod.Qr);

    private static TicketRow ClosedTicket(string number, DateTimeOffset closedAt) => new(number, TicketState.Closed, TicketKind.Complaint, null,
        TicketSource.HotlineCall, "411202", null, null, false, null, 0, null, null, closedAt.AddDays(-1), closedAt, closedAt.AddHours(-20), null, closedAt, 5);

    [Fact]
    public async Task A_run_deletes_what_is_due_keeps_the_rest_and_the_aggregates_and_audits_the_counts()
    {
        await using var factory = new ApiFactory([new("Retention:BatchPause", "00:00:00"), new("Retention:ClosedTicketDays", "30")]);
        await factory.SeedRegionsAsync();
        var passes = (InMemoryPassStore)factory.Services.GetRequiredService<IPassStore>();
        var tickets = factory.Services.GetRequiredService<ITicketStore>();
        var start = factory.Clock.GetUtcNow();
        for (var d = 0; d < 40; d++) await passes.AppendAsync(Pass("rkey-a", start.AddDays(d)));
        await passes.UpsertDailyAsync(new CheckpointDaily("cp-411202-0001", "411202", new CheckpointDayCounts { Day = DateOnly.FromDateTime(start.DateTime), Passes = 1 }));
        await tickets.UpsertAsync(ClosedTicket("12345-20200201-000001", start));
        await tickets.UpsertAsync(ClosedTicket("12345-20200301-000002", start.AddDays(35)));

        // 39 days later: passes of the first 12 days and the ticket closed 39 days ago are due; the rest is not.
        factory.Clock.Advance(TimeSpan.FromDays(39));
        var admin = await factory.AdminClientAsync();
        var report = await (await admin.PostAsync("/api/admin/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        long CountOf(JsonElement r, string kind) => r.GetProperty("counts").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == kind).GetProperty("count").GetInt64();
        Assert.Equal(12, CountOf(report, "checkpoint-passes"));
        Assert.Equal(1, CountOf(report, "closed-tickets"));
        Assert.Equal(28, passes.Count);
        Assert.Null(await tickets.GetAsync("12345-20200201-000001"));
        Assert.NotNull(await tickets.GetAsync("12345-20200301-000002"));
        // The anonymous aggregate stays.
        Assert.Single(await passes.DailyAsync("cp-411202-0001", DateOnly.MinValue, DateOnly.MaxValue));

        // The trail records the counts, and the admin route shows the last run.
        var audit = await factory.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery(null, "admin", null, null));
        Assert.Contains(audit, e => e.Action == "retention.run" && e.Detail!.Contains("checkpoint-passes=12") && e.Detail.Contains("closed-tickets=1"));
        var last = await admin.GetFromJsonAsync<JsonElement>("/api/admin/retention");
        Assert.Equal(12, CountOf(last.GetProperty("last"), "checkpoint-passes"));

        // A second run the same day finds nothing more.
        var again = await (await admin.PostAsync("/api/admin/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, CountOf(again, "checkpoint-passes"));
        // Only administrators run it.
        var village = await factory.NewStaffAsync("village", "411202");
        Assert.Equal(HttpStatusCode.Forbidden, (await village.PostAsync("/api/admin/retention/run", null)).StatusCode);
    }

    [Fact]
    public async Task Every_statement_deletes_at_most_one_batch()
    {
        await using var factory = new ApiFactory([new("Retention:BatchPause", "00:00:00"), new("Retention:BatchSize", "3")]);
        await factory.SeedRegionsAsync();
        var passes = (InMemoryPassStore)factory.Services.GetRequiredService<IPassStore>();
        var start = factory.Clock.GetUtcNow();
        for (var i = 0; i < 10; i++) await passes.AppendAsync(Pass("rkey-b" + i, start.AddMinutes(i)));
        factory.Clock.Advance(TimeSpan.FromDays(30));
        var admin = await factory.AdminClientAsync();
        var report = await (await admin.PostAsync("/api/admin/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
        // 10 rows in batches of at most 3: 3 + 3 + 3 + 1 (four statements), then one (empty) batch of cleared state rows.
        Assert.Equal(10, report.GetProperty("counts").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "checkpoint-passes").GetProperty("count").GetInt64());
        Assert.Equal(5, report.GetProperty("batches").GetInt32());
        Assert.Equal(0, passes.Count);
    }

    [Fact]
    public async Task The_residents_self_report_and_old_history_are_dropped_at_the_day_close_after_the_period()
    {
        await using var factory = new ApiFactory([new("Retention:SelfReportDays", "3")]);
        await factory.SeedRegionsAsync();
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync();
        await r.ApplyAsync();
        (await r.Client.PutAsJsonAsync("/api/residents/me/self-report", new { temperature = 36.6m, symptoms = Array.Empty<string>(), recentTravel = "none" })).EnsureSuccessStatusCode();
        var before = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(JsonValueKind.Object, before.GetProperty("selfReport").ValueKind);
        factory.Clock.Advance(TimeSpan.FromDays(5));
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<Sanmenxia.Residents.IResidentGrain>(r.ResidentKey).EvaluateDeadlinesAsync();
        var after = await r.Client.GetFromJsonAsync<JsonElement>("/api/residents/me");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("selfReport").ValueKind);
    }
}
