package io.sqlqueue.testing;

/**
 * The databases the shared queue suite runs on. A queue test is written once and runs on all of them:
 *
 * <pre>{@code
 * @ParameterizedClass
 * @EnumSource(TestDatabase.class)
 * class ClaimTests {
 *     @Parameter TestDatabase db;
 *     DataSource dataSource;
 *     @BeforeEach void setUp() { dataSource = TestDatabases.fresh(db); }
 * }
 * }</pre>
 */
public enum TestDatabase {

	/** PostgreSQL, from {@code SQLQUEUE_TEST_POSTGRES_URL} or Testcontainers. */
	POSTGRESQL("SQLQUEUE_TEST_POSTGRES_URL", true),

	/** MariaDB, from {@code SQLQUEUE_TEST_MARIADB_URL} or Testcontainers. */
	MARIADB("SQLQUEUE_TEST_MARIADB_URL", true),

	/** H2, in memory, one database per test JVM. */
	H2(null, false),

	/** SQLite, a temporary file per test JVM in WAL mode. */
	SQLITE(null, false);

	private final String urlVariable;

	private final boolean server;

	TestDatabase(String urlVariable, boolean server) {
		this.urlVariable = urlVariable;
		this.server = server;
	}

	/** The environment variable holding this database's JDBC URL, or {@code null} for embedded ones. */
	public String urlVariable() {
		return this.urlVariable;
	}

	/** Whether this is a database server that separate JVMs can share. */
	public boolean isServer() {
		return this.server;
	}

	/** Whether several nodes may share this database (everything but SQLite). */
	public boolean supportsMultipleNodes() {
		return this != SQLITE;
	}

}
