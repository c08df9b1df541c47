package io.sqlqueue.spring;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.boot.sql.init.dependency.DatabaseInitializerDetector;
import org.springframework.core.Ordered;

/**
 * A {@link DatabaseInitializerDetector} for the {@link SqlQueueSchemaInitializer}: beans that depend
 * on database initialization (JPA, JdbcTemplate users, {@code @DependsOnDatabaseInitialization}) are
 * created after sqlqueue's tables exist.
 */
class SqlQueueSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	/**
	 * After the application's Flyway or Liquibase (orders 0 and 1), which refuse to start on a schema that has
	 * tables but not their history, and before its SQL scripts ({@code LOWEST_PRECEDENCE - 100}).
	 */
	static final int ORDER = Ordered.LOWEST_PRECEDENCE - 200;

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(SqlQueueSchemaInitializer.class);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
