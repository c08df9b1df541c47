package io.sqlqueue.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.mariadb.MariaDBContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import io.sqlqueue.SqlQueueMigrations;

/**
 * Provides the shared suite's databases, one pooled {@link DataSource} per database and JVM.
 *
 * <p>PostgreSQL and MariaDB come from the JDBC URL in {@code SQLQUEUE_TEST_POSTGRES_URL} /
 * {@code SQLQUEUE_TEST_MARIADB_URL} (user and password in the URL), else from Testcontainers when Docker
 * is available. When neither is there the test is skipped with a message, except with {@code CI=true},
 * where a missing database fails the test: CI never skips a database silently.
 */
public final class TestDatabases {

	private static final Map<TestDatabase, String> URLS = new EnumMap<>(TestDatabase.class);

	private static final Map<TestDatabase, HikariDataSource> DATA_SOURCES = new EnumMap<>(TestDatabase.class);

	private static final List<JdbcDatabaseContainer<?>> CONTAINERS = new ArrayList<>();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			DATA_SOURCES.values().forEach(HikariDataSource::close);
			CONTAINERS.forEach(JdbcDatabaseContainer::stop);
		}, "sqlqueue-test-databases-shutdown"));
	}

	private TestDatabases() {
	}

	/**
	 * The JDBC URL of {@code db} (user included), for tests that start other JVMs or Spring contexts.
	 * @throws TestAbortedException when the database is not available outside CI
	 */
	public static synchronized String jdbcUrl(TestDatabase db) {
		return URLS.computeIfAbsent(db, TestDatabases::resolveUrl);
	}

	/** A pooled DataSource for {@code db}, shared by every test in this JVM. */
	public static synchronized DataSource dataSource(TestDatabase db) {
		return DATA_SOURCES.computeIfAbsent(db, (key) -> {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(jdbcUrl(key));
			config.setPoolName("sqlqueue-test-" + key.name().toLowerCase());
			config.setMaximumPoolSize((key == TestDatabase.SQLITE) ? 8 : 24);
			config.setConnectionTimeout(10_000);
			return new HikariDataSource(config);
		});
	}

	/**
	 * {@code db}'s DataSource after dropping every table in its schema and running sqlqueue's migrations:
	 * an empty queue. Stop the previous test's workers before calling it.
	 */
	public static DataSource fresh(TestDatabase db) {
		DataSource dataSource = dataSource(db);
		dropAllTables(db, dataSource);
		SqlQueueMigrations.migrate(dataSource);
		return dataSource;
	}

	/** Drops every table of {@code db}'s current schema (the scratch database belongs to the tests). */
	public static void dropAllTables(TestDatabase db, DataSource dataSource) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			switch (db) {
				case POSTGRESQL -> statement.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
				case H2 -> statement.execute("DROP ALL OBJECTS");
				case MARIADB -> {
					statement.execute("SET FOREIGN_KEY_CHECKS = 0");
					for (String table : tables(connection, connection.getCatalog(), null)) {
						statement.execute("DROP TABLE IF EXISTS `" + table + "`");
					}
					statement.execute("SET FOREIGN_KEY_CHECKS = 1");
				}
				case SQLITE -> {
					for (String table : tables(connection, null, null)) {
						statement.execute("DROP TABLE IF EXISTS \"" + table + "\"");
					}
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not empty the " + db + " test database: " + ex.getMessage(), ex);
		}
	}

	private static List<String> tables(Connection connection, String catalog, String schema) throws SQLException {
		List<String> tables = new ArrayList<>();
		DatabaseMetaData metaData = connection.getMetaData();
		try (ResultSet rs = metaData.getTables(catalog, schema, "%", new String[] { "TABLE" })) {
			while (rs.next()) {
				String name = rs.getString("TABLE_NAME");
				if (!name.startsWith("sqlite_")) {
					tables.add(name);
				}
			}
		}
		return tables;
	}

	/** Whether tests run in CI, where a missing database is a failure rather than a skip. */
	public static boolean inCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	private static String resolveUrl(TestDatabase db) {
		switch (db) {
			case H2:
				return "jdbc:h2:mem:sqlqueue_test;DB_CLOSE_DELAY=-1";
			case SQLITE:
				try {
					Path dir = Files.createTempDirectory("sqlqueue-sqlite");
					dir.toFile().deleteOnExit();
					return "jdbc:sqlite:" + dir.resolve("jobs.db") + "?journal_mode=WAL&busy_timeout=10000";
				}
				catch (IOException ex) {
					throw new IllegalStateException("Could not create a temporary SQLite file", ex);
				}
			default:
				break;
		}
		String url = System.getenv(db.urlVariable());
		if (url != null && !url.isBlank()) {
			return url;
		}
		if (dockerAvailable()) {
			JdbcDatabaseContainer<?> container = (db == TestDatabase.POSTGRESQL)
					? new PostgreSQLContainer("postgres:15-alpine") : new MariaDBContainer("mariadb:10.11");
			container.start();
			CONTAINERS.add(container);
			String separator = container.getJdbcUrl().contains("?") ? "&" : "?";
			return container.getJdbcUrl() + separator + "user=" + container.getUsername() + "&password="
					+ container.getPassword();
		}
		String message = db + " is not available: set " + db.urlVariable()
				+ " to a JDBC URL (user included) or make Docker available for Testcontainers";
		if (inCi()) {
			throw new IllegalStateException(message + " (CI=true: a missing database fails the build)");
		}
		Assumptions.abort(message);
		return null;
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

}
