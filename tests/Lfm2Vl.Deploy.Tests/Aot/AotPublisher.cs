using System.Diagnostics;
using System.Text;

namespace Lfm2Vl.Deploy.Tests.Aot;

/// <summary>
/// Publishes src/Lfm2Vl.Inference.Aot with NativeAOT into its own folder. Every project's bin/obj goes under a
/// private artifacts path, so the publish cannot race with a build of the repository running beside it, and no
/// build server or reused MSBuild node outlives it (they would hold the redirected output open).
/// </summary>
internal static class AotPublisher
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lfm2Vl.Engine.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Lfm2Vl.Engine.sln above {AppContext.BaseDirectory}: the AOT test runs from a checkout.");
    }

    /// <summary>The native executable's path; throws with the publish's output when it fails or runs past <paramref name="limit"/>.</summary>
    public static string Publish(string workDir, TimeSpan limit)
    {
        string root = RepositoryRoot(), output = Path.Combine(workDir, "publish");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[]
        {
            "publish", Path.Combine(root, "src", "Lfm2Vl.Inference.Aot", "Lfm2Vl.Inference.Aot.csproj"),
            "-c", "Release", "-r", "linux-x64", "-o", output, "--artifacts-path", Path.Combine(workDir, "artifacts"),
            "--disable-build-servers", "-nodeReuse:false", "-nologo", "-v", "minimal",
        }) start.ArgumentList.Add(a);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var (exit, log) = Run(start, limit);
        if (exit is null)
            throw new Xunit.Sdk.XunitException($"NativeAOT publish did not finish within {limit.TotalMinutes:F0} min (killed). Last output:\n{Tail(log)}");
        string exe = Path.Combine(output, "lfm2vl-predict");
        if (exit != 0 || !File.Exists(exe))
            throw new Xunit.Sdk.XunitException($"NativeAOT publish of src/Lfm2Vl.Inference.Aot failed (exit {exit}; executable {(File.Exists(exe) ? "present" : "missing")}). Output:\n{Tail(log)}");
        return exe;
    }

    /// <summary>Runs a process to its end (null exit code: killed with its children after <paramref name="limit"/>), returning stdout and stderr together.</summary>
    public static (int? Exit, string Output) Run(ProcessStartInfo start, TimeSpan limit)
    {
        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            lock (log) return (null, log.ToString());
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (log) return (process.ExitCode, log.ToString());
    }

    private static string Tail(string log, int lines = 40) => string.Join('\n', log.Split('\n').TakeLast(lines));
}
