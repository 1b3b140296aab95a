using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Sandbox;

/// <summary>
/// The sandbox store is created with EnsureCreated (no migrations); a store created by an older version lacks
/// the columns added since. They are added here (nullable or with a default), so an existing demo keeps its data.
/// </summary>
internal static class SandboxSchema
{
    private static readonly (string Table, string Column, string Type)[] Added =
    [
        ("sandbox_payments", "InstallmentPlanMonths", "INTEGER NOT NULL DEFAULT 0"),
        ("sandbox_payments", "InterestFree", "INTEGER NOT NULL DEFAULT 0"),
        ("sandbox_settlement_lines", "FeeInstallment", "INTEGER NULL"),
        ("sandbox_settlement_lines", "InstallmentPlanMonths", "INTEGER NULL"),
        ("sandbox_settlement_lines", "InterestFree", "INTEGER NULL"),
        ("sandbox_settlement_lines", "CanceledAt", "TEXT NULL"),
        ("sandbox_payments", "Currency", "TEXT NOT NULL DEFAULT 'KRW'"),
        ("sandbox_settlement_lines", "Currency", "TEXT NOT NULL DEFAULT 'KRW'"),
        ("sandbox_payments", "MerchantId", "TEXT NULL"),
        ("sandbox_settlement_lines", "MerchantId", "TEXT NULL"),
    ];

    public static void AddMissingColumns(SandboxDbContext db)
    {
        var conn = db.Database.GetDbConnection();
        db.Database.OpenConnection();
        try
        {
            foreach (var (table, column, type) in Added)
            {
                using var check = conn.CreateCommand();
                check.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
                if (Convert.ToInt64(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0) continue;
                using var alter = conn.CreateCommand();
                alter.CommandText = $"ALTER TABLE {table} ADD COLUMN \"{column}\" {type}";
                alter.ExecuteNonQuery();
            }
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }
}
