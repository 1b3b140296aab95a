namespace OpsConsole.Core.Common.Tabular;

/// <summary>One problem of an imported file: the 1-based line (CSV) or row (Excel), the column or field, the reason.</summary>
public sealed record ImportRowError(int Line, string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? $"line {Line}: {Message}" : $"line {Line}: {Field}: {Message}";
}
