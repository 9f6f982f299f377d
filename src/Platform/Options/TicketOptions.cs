using Sanmenxia.Tickets;

namespace Sanmenxia.Platform.Options;

/// <summary>A department tickets can be dispatched to.</summary>
public sealed class TicketDepartment
{
    /// <summary>Stable code (lower-case letters and '-'), stored in tickets.</summary>
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>Settings of the 12345 ticket workflow (platforms 1 and 6), section "Tickets".</summary>
public sealed class TicketOptions
{
    public const string Section = "Tickets";

    /// <summary>From receipt to acceptance or rejection (domain time).</summary>
    public TimeSpan AcceptWithin { get; set; } = TicketDeadlinePolicy.Default.AcceptWithin;
    /// <summary>From acceptance (or a reopening) to the handler's result.</summary>
    public TimeSpan HandleWithin { get; set; } = TicketDeadlinePolicy.Default.HandleWithin;
    /// <summary>From receipt to closing.</summary>
    public TimeSpan CloseWithin { get; set; } = TicketDeadlinePolicy.Default.CloseWithin;
    /// <summary>An overdue ticket climbs one more level of the region tree each time this much more passes.</summary>
    public TimeSpan EscalateEvery { get; set; } = TicketDeadlinePolicy.Default.EscalateEvery;

    /// <summary>
    /// The departments tickets are dispatched to. Empty (the default) means <see cref="DefaultDepartments"/>; a configured
    /// list replaces it (Tickets:Departments:0:Code, …:Name).
    /// </summary>
    public List<TicketDepartment> Departments { get; set; } = [];

    public static IReadOnlyList<TicketDepartment> DefaultDepartments { get; } =
    [
        new() { Code = "health-commission", Name = "卫生健康委员会 · Health commission" },
        new() { Code = "market-supervision", Name = "市场监督管理局 · Market supervision" },
        new() { Code = "public-security", Name = "公安局 · Public security" },
        new() { Code = "transport", Name = "交通运输局 · Transport" },
    ];

    public IReadOnlyList<TicketDepartment> EffectiveDepartments => Departments.Count > 0 ? Departments : DefaultDepartments;

    /// <summary>Anonymous leads (and public status reads) allowed per client address per minute.</summary>
    public int PublicPermitsPerMinute { get; set; } = 10;

    /// <summary>
    /// How long (real time) a deadline reminder may wait before its first tick. Unset: the tick comes when the deadline
    /// is due. Tests driving a fake domain clock set a few seconds, so a jump of the clock is noticed by the reminder.
    /// </summary>
    public TimeSpan? MaxReminderDelay { get; set; }
    /// <summary>Period of the deadline reminder after its first tick (domain time; at least Orleans:MinimumReminderPeriod in real time).</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromHours(1);

    public TicketDeadlinePolicy ToPolicy()
    {
        var policy = new TicketDeadlinePolicy { AcceptWithin = AcceptWithin, HandleWithin = HandleWithin, CloseWithin = CloseWithin, EscalateEvery = EscalateEvery };
        var problems = policy.Validate().ToList();
        if (EffectiveDepartments.Any(d => string.IsNullOrWhiteSpace(d.Code) || d.Code.Length > 40)) problems.Add("every department needs a code of at most 40 characters");
        if (EffectiveDepartments.Select(d => d.Code).Distinct(StringComparer.Ordinal).Count() != EffectiveDepartments.Count) problems.Add("department codes must be unique");
        if (problems.Count > 0) throw new InvalidOperationException("Tickets configuration is invalid: " + string.Join("; ", problems));
        return policy;
    }

    public TicketDepartment? FindDepartment(string? code) =>
        code is null ? null : EffectiveDepartments.FirstOrDefault(d => string.Equals(d.Code, code.Trim(), StringComparison.OrdinalIgnoreCase));
}
