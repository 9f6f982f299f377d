using Sanmenxia.Regions;
using Sanmenxia.Tickets;
using Sanmenxia.Tickets.Open311;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>The pure side of Open311: the service list, state → status, the personal-data mask, times and the search window.</summary>
public sealed class Open311MappingTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void The_service_list_has_the_ten_lead_categories_and_the_four_public_hotline_kinds_with_unique_codes()
    {
        var services = Open311Services.All;
        Assert.Equal(14, services.Count);
        Assert.Equal(services.Count, services.Select(s => s.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(LeadCategories.All.Order(), services.Where(s => s.Kind == TicketKind.Report).Select(s => s.Category!.Value).Order());
        Assert.All(services.Where(s => s.Kind == TicketKind.Report), s => Assert.Equal(Open311Services.LeadGroup, s.Group));
        Assert.Equal([TicketKind.Consultation, TicketKind.Verification, TicketKind.Help, TicketKind.Complaint],
            services.Where(s => s.Kind != TicketKind.Report).Select(s => s.Kind));
        Assert.All(services, s => Assert.Matches("^[a-z][a-z-]+$", s.Code));
        Assert.All(services, s => Assert.False(string.IsNullOrWhiteSpace(s.Name + s.Description + s.Keywords)));
    }

    [Fact]
    public void Every_service_maps_back_from_its_ticket_and_appeals_are_not_served()
    {
        foreach (var service in Open311Services.All)
        {
            Assert.Same(service, Open311Services.Of(service.Kind, service.Category));
            Assert.Same(service, Open311Services.Find(service.Code));
        }
        Assert.Null(Open311Services.Of(TicketKind.Appeal, null));
        Assert.Null(Open311Services.Of(TicketKind.Report, null));
        Assert.Equal("hotline-help", Open311Services.Of(TicketKind.Help, LeadCategory.Rumour)!.Code);
        Assert.Null(Open311Services.Find("Lead-Rumour"));
        Assert.Null(Open311Services.Find(null));
    }

    [Fact]
    public void The_region_attribute_is_required_and_comes_first()
    {
        var region = Open311Services.Attributes.Single(a => a.Code == Open311Services.RegionAttribute);
        Assert.True(region.Required);
        Assert.Equal(1, region.Order);
        var callback = Open311Services.Attributes.Single(a => a.Code == Open311Services.CallbackAttribute);
        Assert.Equal("singlevaluelist", callback.Datatype);
        Assert.Equal(["true", "false"], callback.Values.Select(v => v.Key));
    }

    [Theory]
    [InlineData(TicketState.Received, "open")]
    [InlineData(TicketState.Accepted, "open")]
    [InlineData(TicketState.Dispatched, "open")]
    [InlineData(TicketState.Handled, "open")]
    [InlineData(TicketState.FeedbackGiven, "open")]
    [InlineData(TicketState.Supervision, "open")]
    [InlineData(TicketState.Closed, "closed")]
    [InlineData(TicketState.Rejected, "closed")]
    public void Each_state_is_open_or_closed(TicketState state, string status) => Assert.Equal(status, Open311Status.Of(state));

    [Fact]
    public void Every_state_has_its_own_notes()
    {
        var notes = Enum.GetValues<TicketState>().Select(s => Open311Status.Notes(s, RejectReason.NotEpidemicRelated, null, null, false)).ToList();
        Assert.Equal(notes.Count, notes.Distinct().Count());
        Assert.All(notes, n => Assert.Contains(" · ", n));
    }

    [Fact]
    public void Notes_name_the_agency_the_duplicate_and_an_open_overdue_ticket()
    {
        Assert.Contains("Dispatched to Health commission", Open311Status.Notes(TicketState.Dispatched, null, null, "Health commission", false));
        Assert.Contains("duplicate of 12345-20200205-000001",
            Open311Status.Notes(TicketState.Rejected, RejectReason.Duplicate, "12345-20200205-000001", null, false));
        Assert.Contains("not related to the epidemic", Open311Status.Notes(TicketState.Rejected, RejectReason.NotEpidemicRelated, null, null, false));
        Assert.EndsWith("Overdue", Open311Status.Notes(TicketState.Accepted, null, null, null, overdue: true));
        Assert.DoesNotContain("Overdue", Open311Status.Notes(TicketState.Closed, null, null, null, overdue: true));
    }

    [Fact]
    public void Updated_is_the_closing_instant_of_a_closed_request_and_expected_is_the_due_time_of_an_open_one()
    {
        var received = new DateTimeOffset(2020, 2, 5, 8, 0, 0, TimeSpan.FromHours(8));
        var open = new Ticket
        {
            Number = "12345-20200205-000001", Source = TicketSource.LeadReport, Kind = TicketKind.Report, Category = LeadCategory.Rumour,
            Location = new TicketLocation(RegionCode.Parse("411202001001"), null), Description = "d", State = TicketState.Accepted,
            ReceivedAt = received, UpdatedAt = received.AddHours(1), DueAt = received.AddHours(25),
        };
        Assert.Equal(received.AddHours(1), Open311Status.Updated(open));
        Assert.Equal(received.AddHours(25), Open311Status.Expected(open));
        var closed = open with { State = TicketState.Closed, ClosedAt = received.AddHours(30), UpdatedAt = received.AddHours(31), DueAt = null };
        Assert.Equal(received.AddHours(30), Open311Status.Updated(closed));
        Assert.Null(Open311Status.Expected(closed));
        var rejected = open with { State = TicketState.Rejected, RejectedAt = received.AddHours(2), UpdatedAt = received.AddHours(3) };
        Assert.Equal(received.AddHours(2), Open311Status.Updated(rejected));
        Assert.Null(Open311Status.Expected(rejected));
    }

    [Theory]
    [InlineData("电话13800138000请回电", "电话***********请回电")]
    [InlineData("call 138 0013 8000 now", "call ************* now")]
    [InlineData("call 138-0013-8000", "call *************")]
    [InlineData("+86 138 0013 8000", "*****************")]
    [InlineData("座机 0398-2345678", "座机 ************")]
    [InlineData("身份证41120219900101123X，住3号楼", "身份证******************，住3号楼")]
    [InlineData("id 411202199001011234.", "id ******************.")]
    [InlineData("card 6222021234567890123", "card *******************")]
    public void Phone_and_id_like_numbers_are_masked_whole(string text, string masked) => Assert.Equal(masked, PersonalDataMask.Apply(text));

    [Theory]
    [InlineData("2020-02-05 下午 3 点，约 30 人聚集")]
    [InlineData("与 12345-20200205-000123 重复")]
    [InlineData("口罩 25 元一个，东风路 128 号")]
    [InlineData("1380013800")]
    [InlineData("")]
    public void Dates_amounts_house_and_ticket_numbers_are_left_as_written(string text) => Assert.Equal(text, PersonalDataMask.Apply(text));

    [Fact]
    public void Nothing_to_mask_in_null() => Assert.Null(PersonalDataMask.Apply(null));

    [Fact]
    public void Times_carry_the_city_offset()
    {
        var instant = new DateTimeOffset(2020, 2, 5, 0, 15, 30, TimeSpan.Zero);
        Assert.Equal("2020-02-05T08:15:30+08:00", Open311Time.Format(instant, Shanghai));
        Assert.Equal("2020-02-05T00:15:30+00:00", Open311Time.Format(instant, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("2020-02-05T00:00:00Z", "2020-02-05T00:00:00+00:00")]
    [InlineData("2020-02-05T08:00:00+08:00", "2020-02-05T00:00:00+00:00")]
    [InlineData("2020-02-05T08:00+08:00", "2020-02-05T00:00:00+00:00")]
    [InlineData("2020-02-05", "2020-02-04T16:00:00+00:00")]
    public void W3c_times_and_dates_parse(string text, string utc)
    {
        Assert.True(Open311Time.TryParse(text, Shanghai, out var at));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("2020-02-05T08:00:00")]
    [InlineData("yesterday")]
    [InlineData("2020-13-01")]
    [InlineData(null)]
    public void Times_without_offset_or_malformed_are_refused(string? text) => Assert.False(Open311Time.TryParse(text, Shanghai, out _));

    [Fact]
    public void The_search_window_defaults_to_the_last_90_days_and_never_spans_more()
    {
        var now = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal((now.AddDays(-90), now), Open311Time.Window(null, null, now, out _));
        Assert.Equal((now, now.AddDays(90)), Open311Time.Window(now, null, now, out _));
        Assert.Equal((now.AddDays(-90), now), Open311Time.Window(null, now, now, out _));
        Assert.Equal((now.AddDays(-90), now), Open311Time.Window(now.AddDays(-90), now, now, out var ok));
        Assert.Null(ok);
        Assert.Null(Open311Time.Window(now.AddDays(-91), now, now, out var tooLong));
        Assert.Contains("90 days", tooLong);
        Assert.Null(Open311Time.Window(now, now.AddDays(-1), now, out var backwards));
        Assert.Contains("before", backwards);
    }
}
