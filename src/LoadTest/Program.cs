using Sanmenxia.LoadTest;
using Spectre.Console;

// ./sanmenxia loadtest: simulates the city's residents against a running system over HTTP. Where things are:
//   LoadTestOptions.cs                the command line
//   LoadTestRun.cs                    one run, in order: setup, population, pgbench baseline, the phases, the report
//   LoadTestRun.Setup.cs              administrator sign-in, the region tree, the minted-token check
//   LoadTestRun.Register.cs           phase register (CSV import)
//   LoadTestRun.ResidentPhases.cs     phases apply, clockin, code (residents with their own tokens)
//   LoadTestRun.StaffPhases.cs        phases scan, village (checkpoint and village staff)
//   LoadTestRun.Sweep.cs              phase sweep (the villages' day close at simulated midnight)
//   LoadTestRun.Report.cs             database facts, result JSON + Markdown, console summary
//   RawHttpSender.cs, RawHttpConnection*.cs   the lean HTTP/1.1 sender of apply, clockin and code (--sender raw)
//   Population, ApiClient, Measurement, ProcessSampler, PgBench, DayCloseSweep, DashboardWatcher: the parts they use

LoadTestOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(LoadTestOptions.Usage); return 0; }
    // Logs and CI capture the output: give the tables room instead of wrapping them at 80 columns.
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 170;
    options = LoadTestOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"loadtest: {e.Message}");
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

try
{
    return await new LoadTestRun(options).RunAsync();
}
catch (LoadTestException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]loadtest: {e.Message}[/]");
    return 1;
}
