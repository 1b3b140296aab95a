using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OpsConsole.Core.Data;

public sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(),
    v => DateTimeOffset.FromUnixTimeMilliseconds(v));
