namespace Lfm2Vl.Cli.Commands;

/// <summary>First Ctrl+C asks the run to stop after the current step and save; a second one kills the process.</summary>
internal static class Cancellation
{
    public static CancellationToken OnCtrlC(Action<string> say)
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            cts.Cancel();
            say("Stopping after the current step and saving (Ctrl+C again to abort at once)...");
        };
        return cts.Token;
    }
}
