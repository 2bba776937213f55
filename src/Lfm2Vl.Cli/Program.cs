using Lfm2Vl.Cli;

// The full command set (train, evaluate, finetune, serve) arrives with the trainer; until then `demo` runs the
// engine example.
var command = args.Length > 0 ? args[0] : "--help";
switch (command)
{
    case "demo":
        return EngineExample.Run();
    default:
        Console.WriteLine("usage: lfm2vl demo    train a small CNN on generated data and print its loss and held-out accuracy");
        return command is "--help" or "-h" ? 0 : 2;
}
