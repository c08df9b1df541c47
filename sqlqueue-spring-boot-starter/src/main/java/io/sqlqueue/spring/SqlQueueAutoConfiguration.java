package io.sqlqueue.spring;

import javax.sql.DataSource;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.MdcJobInterceptor;

/**
 * Auto-configures sqlqueue on the application's {@link DataSource}: migrates its tables, provides
 * a {@link JdbcJobQueue} bean, and runs the {@link JobHandler} methods.
 *
 * <p>The DataSource is the one qualified {@link SqlQueueDataSource @SqlQueueDataSource}, else the
 * single (or primary) one. {@link JobInterceptor} and {@link JobEventListener} beans are added to
 * the queue in {@code @Order}; {@link JdbcJobQueueCustomizer} and {@link JobWorkerCustomizer} beans
 * customize what properties cannot say. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
		afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass(JdbcJobQueue.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(SqlQueueProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class SqlQueueAutoConfiguration {

	/**
	 * The schema initializer. It takes part in Boot's database initialization ordering (see
	 * {@link SqlQueueSchemaInitializerDetector}): the queue, the registry and the application's beans that depend
	 * on database initialization are created after it.
	 */
	@Bean
	@ConditionalOnMissingBean
	SqlQueueSchemaInitializer sqlQueueSchemaInitializer(ObjectProvider<DataSource> dataSources,
			@SqlQueueDataSource ObjectProvider<DataSource> sqlQueueDataSource, SqlQueueProperties properties,
			ApplicationContext context) {
		return new SqlQueueSchemaInitializer(dataSource(dataSources, sqlQueueDataSource), properties.getTablePrefix(),
				properties.getSchema().isMigrate(), context.getClassLoader());
	}

	@Bean
	@ConditionalOnMissingBean
	JdbcJobQueue jdbcJobQueue(ObjectProvider<DataSource> dataSources,
			@SqlQueueDataSource ObjectProvider<DataSource> sqlQueueDataSource, SqlQueueProperties properties,
			ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<JobInterceptor> interceptors, ObjectProvider<JobEventListener> listeners,
			ObjectProvider<JdbcJobQueueCustomizer> customizers) {
		JdbcJobQueue.Builder builder = JdbcJobQueue.builder(dataSource(dataSources, sqlQueueDataSource))
			.tablePrefix(properties.getTablePrefix())
			.maxPayloadBytes((int) properties.getMaxPayloadSize().toBytes())
			.notifications(properties.isNotifications());
		jsonMapper.ifUnique(builder::jsonMapper);
		interceptors.orderedStream().forEach(builder::interceptor);
		listeners.orderedStream().forEach(builder::listener);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	/**
	 * The sampled job counts that the gauges and the dashboard share; it samples only for those that subscribed.
	 */
	@Bean
	@ConditionalOnMissingBean
	QueueStatistics sqlQueueStatistics(JdbcJobQueue jobQueue, SqlQueueProperties properties) {
		return new QueueStatistics(jobQueue, properties.getMetrics().getSampleInterval());
	}

	/** Puts the job id, type, queue and attempt in the logging MDC, outside every other interceptor. */
	@Bean
	@ConditionalOnMissingBean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	MdcJobInterceptor sqlQueueMdcJobInterceptor() {
		return new MdcJobInterceptor();
	}

	@Bean
	@ConditionalOnMissingBean
	JobHandlerRegistry jobHandlerRegistry(JdbcJobQueue jobQueue, SqlQueueProperties properties,
			ObjectProvider<JobWorkerCustomizer> customizers) {
		return new JobHandlerRegistry(jobQueue, properties, customizers);
	}

	@Bean
	@ConditionalOnMissingBean
	static JobHandlerAnnotationBeanPostProcessor jobHandlerAnnotationBeanPostProcessor() {
		return new JobHandlerAnnotationBeanPostProcessor();
	}

	/** Names the property and the valid values when a sqlqueue property is none of its enum's values. */
	@Bean
	static InvalidEnumPropertyAdvisor sqlQueueInvalidEnumPropertyAdvisor() {
		return new InvalidEnumPropertyAdvisor();
	}

	private static DataSource dataSource(ObjectProvider<DataSource> dataSources,
			ObjectProvider<DataSource> sqlQueueDataSource) {
		DataSource qualified = sqlQueueDataSource.getIfAvailable();
		if (qualified != null) {
			return qualified;
		}
		DataSource single = dataSources.getIfUnique();
		if (single == null) {
			throw new IllegalStateException("sqlqueue needs one DataSource but the application has several and none is "
					+ "primary: mark the one for the job table @SqlQueueDataSource (or @Primary)");
		}
		return single;
	}

}
