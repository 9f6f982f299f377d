using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.Residents;

namespace Sanmenxia.UnitTests.Residents;

public class NeedListTests
{
    private static readonly DateTimeOffset Now = new(2020, 2, 10, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly List<Need> _needs = [];
    private NeedList Needs => new(_needs);

    [Fact]
    public void An_added_need_is_open()
    {
        var need = Needs.Add("n1", NeedKind.Medicine, "blood-pressure tablets", Now);

        Assert.Equal(new Need("n1", NeedKind.Medicine, "blood-pressure tablets", Now, NeedStatus.Open), need);
        Assert.Equal(1, Needs.OpenCount);
        Assert.Same(need, Assert.Single(Needs.Items));
    }

    [Fact]
    public void Handling_records_who_when_and_how_and_the_first_answer_stands()
    {
        Needs.Add("n1", NeedKind.Food, "rice", Now);

        var (handled, changed) = Needs.Handle("n1", "staff-1", "delivered", Now.AddHours(2));
        var (again, changedAgain) = Needs.Handle("n1", "staff-2", "delivered twice?", Now.AddHours(3));

        Assert.True(changed);
        Assert.Equal((NeedStatus.Handled, Now.AddHours(2), "staff-1", "delivered"), (handled!.Status, handled.HandledAt, handled.HandledBy, handled.Note));
        Assert.False(changedAgain);
        Assert.Same(handled, again);
        Assert.Equal(0, Needs.OpenCount);
    }

    [Fact]
    public void An_unknown_need_is_not_found()
    {
        Assert.Equal(((Need?)null, false), Needs.Handle("nope", "staff-1", null, Now));
    }

    [Fact]
    public void Handled_needs_are_bounded_to_the_latest_and_open_ones_are_all_kept()
    {
        for (var i = 0; i < NeedList.HandledKept + 5; i++)
        {
            Needs.Add($"h{i:D2}", NeedKind.Other, "x", Now);
            Needs.Handle($"h{i:D2}", "staff-1", null, Now.AddMinutes(i));
        }
        Needs.Add("open", NeedKind.Medicine, "insulin", Now.AddDays(-30));

        Assert.Equal(NeedList.HandledKept, _needs.Count(n => n.Status == NeedStatus.Handled));
        Assert.Equal("h05", _needs.Where(n => n.Status == NeedStatus.Handled).MinBy(n => n.HandledAt)!.Id);
        Assert.Equal(1, Needs.OpenCount);
    }

    [Property]
    public Property Open_needs_are_never_dropped_and_handled_ones_never_exceed_the_bound() =>
        Prop.ForAll(Gen.Choose(-1, 30).ArrayOf().ToArbitrary(), actions =>
        {
            var needs = new NeedList([]);
            var added = 0;
            var handled = new HashSet<string>();
            foreach (var action in actions)
            {
                if (action < 0 || added == 0) needs.Add($"n{added++}", NeedKind.Other, "x", Now);
                else if (needs.Handle($"n{action % added}", "s", null, Now.AddMinutes(handled.Count)).Changed) handled.Add($"n{action % added}");
            }
            return needs.OpenCount == added - handled.Count
                && needs.Items.Count(n => n.Status == NeedStatus.Handled) == Math.Min(handled.Count, NeedList.HandledKept);
        });
}
