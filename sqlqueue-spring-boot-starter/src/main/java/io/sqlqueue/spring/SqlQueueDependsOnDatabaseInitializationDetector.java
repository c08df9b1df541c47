package io.sqlqueue.spring;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;

import io.sqlqueue.JdbcJobQueue;

/**
 * A {@link DependsOnDatabaseInitializationDetector} for the beans that use sqlqueue's tables, the
 * application's own {@link JdbcJobQueue} included: they are created after every database
 * initializer, sqlqueue's schema initializer and the application's migrations alike.
 */
class SqlQueueDependsOnDatabaseInitializationDetector extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

	@Override
	protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
		return Set.of(JdbcJobQueue.class, JobHandlerRegistry.class);
	}

}
