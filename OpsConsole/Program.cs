using OpsConsole.Cli;
using OpsConsole.Hosting;

if (CliRunner.IsVerb(args))
    return await CliRunner.RunAsync(args);

var app = ConsoleHost.Build(args);
await app.RunAsync();
return 0;

public partial class Program;
