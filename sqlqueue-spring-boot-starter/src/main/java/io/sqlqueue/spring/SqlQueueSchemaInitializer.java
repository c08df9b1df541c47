package io.sqlqueue.spring;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.util.ClassUtils;

import io.sqlqueue.SqlQueueMigrations;

/**
 * Prepares sqlqueue's tables before the queue is used: runs the shipped Flyway migrations (own
 * history table) when {@code sqlqueue.schema.migrate=true}, else checks that the tables exist and
 * fails startup with the fix when they don't.
 */
public class SqlQueueSchemaInitializer implements InitializingBean {

	static final String FLYWAY_CLASS = "org.flywaydb.core.Flyway";

	private final DataSource dataSource;

	private final String tablePrefix;

	private final boolean migrate;

	private final ClassLoader classLoader;

	/**
	 * An initializer of the tables named with {@code tablePrefix} in {@code dataSource}.
	 * @param classLoader where Flyway is looked for
	 */
	public SqlQueueSchemaInitializer(DataSource dataSource, String tablePrefix, boolean migrate,
			ClassLoader classLoader) {
		this.dataSource = dataSource;
		this.tablePrefix = tablePrefix;
		this.migrate = migrate;
		this.classLoader = classLoader;
	}

	@Override
	public void afterPropertiesSet() {
		if (!this.migrate) {
			SqlQueueMigrations.verifySchema(this.dataSource, this.tablePrefix);
			return;
		}
		if (!ClassUtils.isPresent(FLYWAY_CLASS, this.classLoader)) {
			throw new IllegalStateException("sqlqueue.schema.migrate=true needs Flyway to create sqlqueue's tables, but "
					+ FLYWAY_CLASS + " is not on the classpath. Add org.flywaydb:flyway-core (and "
					+ "flyway-database-postgresql or flyway-mysql for those databases), or set "
					+ "sqlqueue.schema.migrate=false and apply the scripts in db/sqlqueue/{vendor} yourself.");
		}
		SqlQueueMigrations.migrate(this.dataSource, this.tablePrefix);
	}

}
