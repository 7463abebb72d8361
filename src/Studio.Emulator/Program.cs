using Studio.Emulator;

var app = EmulatorHost.Build(args);
await app.RunAsync();
