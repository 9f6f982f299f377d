using System.Globalization;

namespace Sanmenxia.Chaos;

/// <summary>
/// ./sanmenxia chaos: under a paced HTTP load of residents, SIGKILL a silo (--kill), stop PostgreSQL for a few
/// seconds (--postgres) or roll every silo (--rolling); then prove from the store that no acknowledged write was
/// lost, that failures were retryable (503/502/504 with Retry-After, or connection errors) and short, and that
/// the dead silo's reminders fired on the survivors. Prints PASS/FAIL with figures; exit 1 on FAIL.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        DrillOptions options;
        try { options = DrillOptions.Parse(args); }
        catch (HelpRequested) { Console.WriteLine(DrillOptions.Help); return 0; }
        catch (Exception ex) when (ex is ArgumentException or FormatException) { Console.Error.WriteLine(ex.Message); return 2; }

        try
        {
            var drill = new Drill(options);
            return await drill.RunAsync() ? 0 : 1;
        }
        catch (DrillException ex)
        {
            Console.Error.WriteLine($"chaos: the drill could not run: {ex.Message}");
            return 2;
        }
    }
}
