namespace OpsConsole.Core.Common;

/// <summary>
/// A setting is missing or invalid (the message names it). The CLI reports it in one line with exit code 2;
/// the web app fails to start with it.
/// </summary>
public sealed class ConfigurationError(string message) : InvalidOperationException(message);
