using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.KeyPersons;
using Sanmenxia.Villages;

namespace Sanmenxia.UnitTests.Villages;

// docs/domain.md platform 4 and "Isolation and observation": per category the register's open entries, new and released
// today, and ever; counts that leaders watch: currently isolated, released, total ever isolated (595 + 5,019 = 5,614).
public sealed class KeyPersonTotalsTests
{
    private static readonly DateOnly Today = new(2020, 2, 10);
    private static readonly DateOnly Yesterday = Today.AddDays(-1);

    private static KeyPersonMark Mark(
        KeyPersonCategory category = KeyPersonCategory.FromWuhan,
        KeyPersonStatus status = KeyPersonStatus.Open,
        ControlMeasure measure = ControlMeasure.HomeIsolation,
        DateOnly? openedOn = null,
        DateOnly? closedOn = null,
        bool needsReview = false) => new(category, status, measure, openedOn ?? Yesterday, closedOn, needsReview);

    [Fact]
    public void A_resident_with_no_register_entries_adds_nothing()
    {
        Assert.Equal(KeyPersonTotals.Zero, KeyPersonTotals.From(null, Today));
        Assert.Equal(KeyPersonTotals.Zero, KeyPersonTotals.From([], Today));
    }

    [Fact]
    public void An_entry_opened_today_is_open_new_and_ever_in_its_category_and_isolated()
    {
        var totals = KeyPersonTotals.From([Mark(openedOn: Today)], Today);

        Assert.Equal(new CategoryCounts { Open = 1, NewToday = 1, Ever = 1 }, totals.FromWuhan);
        Assert.Equal(CategoryCounts.Zero, totals.FromHubei);
        Assert.Equal(CategoryCounts.Zero, totals.CloseContact);
        Assert.Equal((1, 0, 1), (totals.IsolatedNow, totals.IsolationReleased, totals.IsolationEver));
    }

    [Fact]
    public void An_entry_opened_yesterday_is_not_new_today()
    {
        var totals = KeyPersonTotals.From([Mark(openedOn: Yesterday)], Today);

        Assert.Equal(new CategoryCounts { Open = 1, Ever = 1 }, totals.FromWuhan);
    }

    [Fact]
    public void A_release_today_moves_the_entry_from_open_to_released_and_keeps_the_ever_counts()
    {
        var open = KeyPersonTotals.From([Mark(KeyPersonCategory.CloseContact, measure: ControlMeasure.CentralIsolation)], Today);
        var released = KeyPersonTotals.From(
            [Mark(KeyPersonCategory.CloseContact, KeyPersonStatus.Released, ControlMeasure.CentralIsolation, closedOn: Today)], Today);

        Assert.Equal(new CategoryCounts { Open = 1, Ever = 1 }, open.CloseContact);
        Assert.Equal(new CategoryCounts { ReleasedToday = 1, Ever = 1 }, released.CloseContact);
        Assert.Equal((0, 1, 1), (released.IsolatedNow, released.IsolationReleased, released.IsolationEver));
    }

    [Fact]
    public void A_release_yesterday_is_not_released_today()
    {
        var totals = KeyPersonTotals.From([Mark(status: KeyPersonStatus.Released, closedOn: Yesterday)], Today);

        Assert.Equal(new CategoryCounts { Ever = 1 }, totals.FromWuhan);
        Assert.Equal(1, totals.IsolationReleased);
    }

    [Fact]
    public void Medical_observation_and_no_measure_are_not_isolation()
    {
        var totals = KeyPersonTotals.From(
            [Mark(KeyPersonCategory.FromOutsideCity, measure: ControlMeasure.MedicalObservation), Mark(KeyPersonCategory.FeverNoExposure, measure: ControlMeasure.None)], Today);

        Assert.Equal(1, totals.FromOutsideCity.Open);
        Assert.Equal(1, totals.FeverNoExposure.Open);
        Assert.Equal((0, 0, 0), (totals.IsolatedNow, totals.IsolationReleased, totals.IsolationEver));
    }

    [Fact]
    public void A_pending_entry_waits_for_staff_and_is_not_yet_counted_in_its_category()
    {
        var totals = KeyPersonTotals.From([Mark(KeyPersonCategory.CloseContact, KeyPersonStatus.Pending, openedOn: Today)], Today);

        Assert.Equal(1, totals.PendingConfirmation);
        Assert.Equal(CategoryCounts.Zero, totals.CloseContact);
        Assert.Equal(0, totals.IsolationEver);
    }

    [Fact]
    public void A_dismissed_entry_counts_nowhere()
    {
        var totals = KeyPersonTotals.From([Mark(KeyPersonCategory.CloseContact, KeyPersonStatus.Dismissed, closedOn: Today, needsReview: true)], Today);

        Assert.Equal(KeyPersonTotals.Zero, totals);
    }

    [Fact]
    public void Only_open_entries_flagged_for_review_need_review()
    {
        var totals = KeyPersonTotals.From(
            [Mark(needsReview: true), Mark(KeyPersonCategory.FromHubei, KeyPersonStatus.Released, closedOn: Yesterday, needsReview: true)], Today);

        Assert.Equal(1, totals.NeedsReview);
    }

    [Fact]
    public void One_resident_with_several_entries_counts_each_entry()
    {
        // A Wuhan returnee released, later a close contact of a case: two entries, both ever isolated.
        var totals = KeyPersonTotals.From(
        [
            Mark(status: KeyPersonStatus.Released, closedOn: Yesterday),
            Mark(KeyPersonCategory.CloseContact, measure: ControlMeasure.CentralIsolation, openedOn: Today),
        ], Today);

        Assert.Equal(1, totals[KeyPersonCategory.FromWuhan].Ever);
        Assert.Equal(1, totals[KeyPersonCategory.CloseContact].NewToday);
        Assert.Equal((1, 1, 2), (totals.IsolatedNow, totals.IsolationReleased, totals.IsolationEver));
    }

    [Fact]
    public void The_indexer_reads_each_category()
    {
        var totals = KeyPersonTotals.From(Enum.GetValues<KeyPersonCategory>().Select((c, i) => Mark(c, openedOn: i % 2 == 0 ? Today : Yesterday)).ToList(), Today);

        Assert.All(Enum.GetValues<KeyPersonCategory>(), c => Assert.Equal(1, totals[c].Open));
        Assert.Equal(1, totals[KeyPersonCategory.FromOutsideCity].NewToday);
        Assert.Equal(0, totals[KeyPersonCategory.FromHubei].NewToday);
        Assert.Equal(1, totals[KeyPersonCategory.FeverNoExposure].NewToday);
    }

    // ------------------------------------------------------------------ laws

    private static readonly Gen<KeyPersonMark> MarkGen =
        from category in Gen.Elements(Enum.GetValues<KeyPersonCategory>())
        from status in Gen.Elements(Enum.GetValues<KeyPersonStatus>())
        from measure in Gen.Elements(Enum.GetValues<ControlMeasure>())
        from opened in Gen.Choose(-3, 0)
        from closed in Gen.Choose(-2, 0)
        from review in Gen.Elements(true, false)
        select new KeyPersonMark(category, status, measure, Today.AddDays(opened),
            status is KeyPersonStatus.Released or KeyPersonStatus.Dismissed ? Today.AddDays(closed) : null, review);

    private static readonly Arbitrary<KeyPersonMark[]> Marks = MarkGen.ArrayOf().ToArbitrary();

    [Property]
    public Property Totals_of_two_residents_are_the_sum_of_each() =>
        Prop.ForAll(Marks, Marks, (a, b) => KeyPersonTotals.From([.. a, .. b], Today) == KeyPersonTotals.From(a, Today) + KeyPersonTotals.From(b, Today));

    [Property]
    public Property Taking_a_resident_back_out_leaves_zero() =>
        Prop.ForAll(Marks, a => KeyPersonTotals.From(a, Today) + -KeyPersonTotals.From(a, Today) == KeyPersonTotals.Zero);

    [Property]
    public Property Ever_isolated_is_isolated_now_plus_released() =>
        Prop.ForAll(Marks, a =>
        {
            var t = KeyPersonTotals.From(a, Today);
            return t.IsolationEver == t.IsolatedNow + t.IsolationReleased;
        });

    [Property]
    public Property Per_category_open_and_today_counts_never_exceed_ever() =>
        Prop.ForAll(Marks, a =>
        {
            var t = KeyPersonTotals.From(a, Today);
            return Enum.GetValues<KeyPersonCategory>().All(c =>
                t[c].Open <= t[c].Ever && t[c].NewToday <= t[c].Ever && t[c].ReleasedToday <= t[c].Ever - t[c].Open);
        });

    [Property]
    public Property Releasing_an_open_entry_never_lowers_an_ever_count() =>
        Prop.ForAll(Marks, a =>
        {
            var before = KeyPersonTotals.From(a, Today);
            var after = KeyPersonTotals.From(a.Select(m => m.Status == KeyPersonStatus.Open ? m with { Status = KeyPersonStatus.Released, ClosedOn = Today } : m).ToList(), Today);
            return after.IsolationEver == before.IsolationEver
                   && Enum.GetValues<KeyPersonCategory>().All(c => after[c].Ever == before[c].Ever && after[c].Open == 0);
        });
}

// A region's total is always the sum of its children.
public sealed class RegionCountsTests
{
    private static readonly Gen<RegionCounts> CountsGen =
        from n in Gen.Choose(0, 1000).ArrayOf(8)
        select new RegionCounts
        {
            Residents = n[0], Applied = n[1], Green = n[2], Yellow = n[3], Red = n[4], Isolated = n[5], Villages = n[6],
            KeyPersonDetail = new KeyPersonTotals { IsolatedNow = n[7], FromWuhan = new CategoryCounts { Ever = n[0] } },
            Checkpoints = new Sanmenxia.Checkpoints.CheckpointTotals { Entries = n[1], Refused = n[2] },
        };

    [Property]
    public Property Adding_counts_is_associative_and_commutative_with_zero_as_identity() =>
        Prop.ForAll(CountsGen.ToArbitrary(), CountsGen.ToArbitrary(), CountsGen.ToArbitrary(), (a, b, c) =>
            (a + b) + c == a + (b + c) && a + b == b + a && a + RegionCounts.Zero == a);

    [Fact]
    public void Counts_stored_before_the_detail_members_existed_add_as_zero()
    {
        // Old stored counts deserialize with null nested records; the sum must not throw.
        var old = new RegionCounts { Residents = 3, KeyPersonDetail = null!, Checkpoints = null! };

        var sum = old + new RegionCounts { Residents = 2 };

        Assert.Equal(5, sum.Residents);
        Assert.Equal(KeyPersonTotals.Zero, sum.KeyPersonDetail);
        Assert.Equal(Sanmenxia.Checkpoints.CheckpointTotals.Zero, sum.Checkpoints);
    }
}
