package io.sqlqueue;

import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.Vendors;

/**
 * Creates and upgrades sqlqueue's tables with Flyway, keeping its own history table
 * ({@value #HISTORY_TABLE}) so it never mixes with the application's migrations.
 *
 * <pre>{@code
 * SqlQueueMigrations.migrate(dataSource);
 * }</pre>
 *
 * <p>Teams that apply DDL themselves find the scripts on the classpath under
 * {@code db/sqlqueue/{postgresql,mariadb,h2,sqlite}}, with {@code ${prefix}} standing for the table
 * prefix. Needs {@code org.flywaydb:flyway-core} (plus {@code flyway-database-postgresql} or
 * {@code flyway-mysql} for those databases).
 */
public final class SqlQueueMigrations {

	/** Flyway's history table for sqlqueue's own migrations. */
	public static final String HISTORY_TABLE = "sqlqueue_schema_history";

	/** The table prefix unless configured. */
	public static final String DEFAULT_TABLE_PREFIX = "sqlqueue_";

	private SqlQueueMigrations() {
	}

	/** Migrates the default tables ({@value #DEFAULT_TABLE_PREFIX}job). */
	public static MigrateResult migrate(DataSource dataSource) {
		return migrate(dataSource, DEFAULT_TABLE_PREFIX);
	}

	/** Migrates the tables named with {@code tablePrefix}. */
	public static MigrateResult migrate(DataSource dataSource, String tablePrefix) {
		return flyway(dataSource, tablePrefix).migrate();
	}

	/** A Flyway instance for sqlqueue's migrations, for callers that want to validate or inspect. */
	public static Flyway flyway(DataSource dataSource, String tablePrefix) {
		JobQueue.validateTablePrefix(tablePrefix);
		String vendor = Vendors.detect(dataSource).name();
		String history = DEFAULT_TABLE_PREFIX.equals(tablePrefix) ? HISTORY_TABLE : tablePrefix + "schema_history";
		return Flyway.configure(SqlQueueMigrations.class.getClassLoader())
			.dataSource(dataSource)
			.locations(location(vendor))
			.table(history)
			.placeholders(Map.of("prefix", tablePrefix))
			.baselineOnMigrate(true)
			.baselineVersion("0")
			.load();
	}

	/**
	 * The classpath location of a database's scripts.
	 * @param database as {@link JdbcJobQueue#database()} names it: {@code postgresql}, {@code mariadb}, {@code h2}
	 * or {@code sqlite}
	 */
	public static String location(String database) {
		return "classpath:db/sqlqueue/" + database;
	}

	/**
	 * Checks that the job table exists and has the columns this version uses.
	 * @throws IllegalStateException naming the table and the fix when it does not
	 */
	public static void verifySchema(DataSource dataSource, String tablePrefix) {
		JdbcJobStore store = new JdbcJobStore(dataSource, tablePrefix);
		try {
			store.jobCount(null, JobState.RUNNING);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("sqlqueue's table '" + store.jobTable() + "' is missing or out of date ("
					+ ex.getMessage() + "). Apply the scripts in " + location(store.vendor().name())
					+ " or let sqlqueue migrate it (SqlQueueMigrations.migrate, or sqlqueue.schema.migrate=true)", ex);
		}
	}

}
