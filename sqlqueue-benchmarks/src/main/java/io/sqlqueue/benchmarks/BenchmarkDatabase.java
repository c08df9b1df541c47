package io.sqlqueue.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.SqlQueueMigrations;

/**
 * The PostgreSQL database a benchmark runs against: a pool for sqlqueue, plain connections for the
 * SQL ceiling, and resets between scenarios. Uses sqlqueue's default tables and the schema
 * {@code sqlqueue_ceiling}: point it at a database of its own.
 */
final class BenchmarkDatabase implements AutoCloseable {

	private final String url;

	private final HikariDataSource dataSource;

	BenchmarkDatabase(String url) {
		if (url == null || !url.startsWith("jdbc:postgresql:")) {
			throw new IllegalArgumentException("The benchmarks need a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db"
					+ "?user=...), got '" + url + "'");
		}
		this.url = url;
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setPoolName("sqlqueue-benchmarks");
		// 8 enqueuing threads, or a worker's fetcher, completer, listener, heartbeat and maintenance
		config.setMaximumPoolSize(12);
		config.setMinimumIdle(2);
		this.dataSource = new HikariDataSource(config);
		SqlQueueMigrations.migrate(this.dataSource);
	}

	String url() {
		return this.url;
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	/** A connection outside the pool, as pgbench's clients have. */
	Connection connect() throws SQLException {
		return DriverManager.getConnection(this.url);
	}

	/** Empties the job table and lifts every pause and limit a scenario set. */
	void reset() {
		run("reset.sql");
	}

	/**
	 * Drops sqlqueue's tables and creates them again: a job table with no statistics at all, as a fresh
	 * installation has (a truncated table keeps the statistics of its last ANALYZE).
	 */
	void recreate() {
		List<String> tables = new JdbcTemplate(this.dataSource).queryForList("SELECT tablename FROM pg_tables"
				+ " WHERE schemaname = current_schema() AND tablename LIKE 'sqlqueue\\_%'", String.class);
		execute(tables.stream().map((table) -> "DROP TABLE IF EXISTS " + table + " CASCADE").toList());
		SqlQueueMigrations.migrate(this.dataSource);
	}

	/** Vacuums and analyzes the job table, as the ceiling does after its prefill. */
	void vacuum() {
		run("vacuum.sql");
	}

	private void run(String script) {
		execute(SqlScript.statements(script));
	}

	void execute(List<String> statements) {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			for (String sql : statements) {
				statement.execute(sql);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Benchmark SQL failed: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void close() {
		this.dataSource.close();
	}

}
