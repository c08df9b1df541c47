package io.sqlqueue.spring;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jmx.JmxEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobState;
import io.sqlqueue.MdcJobInterceptor;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.spring.actuate.ObservationJobInterceptor;
import io.sqlqueue.spring.actuate.SqlQueueEndpoint;
import io.sqlqueue.spring.actuate.SqlQueueEndpointAutoConfiguration;
import io.sqlqueue.spring.actuate.SqlQueueEndpointWebExtension;
import io.sqlqueue.spring.actuate.SqlQueueGauges;
import io.sqlqueue.spring.actuate.SqlQueueHealthAutoConfiguration;
import io.sqlqueue.spring.actuate.SqlQueueHealthIndicator;
import io.sqlqueue.spring.actuate.SqlQueueMetrics;
import io.sqlqueue.spring.actuate.SqlQueueMetricsAutoConfiguration;
import io.sqlqueue.spring.actuate.SqlQueueObservationAutoConfiguration;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The starter's conditions and wiring, each on its own in-memory H2 database.
 */
class SqlQueueAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class,
				SqlQueueMetricsAutoConfiguration.class, SqlQueueObservationAutoConfiguration.class,
				SqlQueueHealthAutoConfiguration.class, SqlQueueEndpointAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"sqlqueue.defaults.poll-interval=100ms");

	private static ApplicationContextRunner withFreshDatabase(ApplicationContextRunner runner) {
		return runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
	}

	@Test
	void backsOffWithoutADataSource() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SqlQueueAutoConfiguration.class))
			.withUserConfiguration(Handlers.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(JdbcJobQueue.class);
				assertThat(context).doesNotHaveBean(JobHandlerRegistry.class);
			});
	}

	@Test
	void migratesTheSchemaAndProvidesAQueueAndAWorker() {
		this.runner.withUserConfiguration(Handlers.class).run((context) -> {
			assertThat(context).hasSingleBean(JdbcJobQueue.class).hasSingleBean(JobHandlerRegistry.class);
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			assertThat(queue.count(null, null)).isZero();
			assertThat(SqlQueueMigrations.flyway(Internals.store(queue).dataSource(), "sqlqueue_").info().applied()).isNotEmpty();
			JobHandlerRegistry registry = context.getBean(JobHandlerRegistry.class);
			assertThat(registry.worker()).hasValueSatisfying((worker) -> assertThat(worker.isRunning()).isTrue());
			long id = queue.enqueue(new Greeting("ada"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> queue.find(id).orElseThrow().state() == JobState.SUCCEEDED);
			assertThat(context.getBean(Handlers.class).greeted).contains("ada");
			assertThat(queue.find(id).orElseThrow().result()).isEqualTo("\"hello ada\"");
		});
	}

	@Test
	void keepsItsOwnMigrationHistoryNextToTheApplicationsFlyway() {
		this.runner.withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
			.withPropertyValues("spring.flyway.locations=classpath:db/testapp")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				assertThat(context.getBean(Flyway.class).info().applied()).hasSize(1);
				assertThat(SqlQueueMigrations.flyway(Internals.store(queue).dataSource(), "sqlqueue_").info().current()).isNotNull();
				assertThat(queue.count(null, null)).isZero();
			});
	}

	@Test
	void beansThatDependOnDatabaseInitializationFindTheJobTable() {
		this.runner.withUserConfiguration(ReadsTheJobTableAtStartup.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(JobTableReader.class).jobsAtStartup).isZero();
		});
	}

	@Test
	void beansThatDependOnDatabaseInitializationFindAnExistingJobTableWithMigrateOff() {
		String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		try (HikariDataSource dataSource = new HikariDataSource()) {
			dataSource.setJdbcUrl(url);
			dataSource.setUsername("sa");
			SqlQueueMigrations.migrate(dataSource);
			this.runner.withPropertyValues("spring.datasource.url=" + url, "sqlqueue.schema.migrate=false")
				.withUserConfiguration(ReadsTheJobTableAtStartup.class)
				.run((context) -> assertThat(context.getBean(JobTableReader.class).jobsAtStartup).isZero());
		}
	}

	@Test
	void theQueueAndTheRegistryWaitForTheSchemaAndTheApplicationsMigrations() {
		this.runner.withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
			.withPropertyValues("spring.flyway.locations=classpath:db/testapp")
			.run((context) -> {
				ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
				// the application's Flyway refuses a schema with tables but no history of its own: it goes first
				assertThat(beanFactory.getBeanDefinition("sqlQueueSchemaInitializer").getDependsOn())
					.contains("flywayInitializer");
				for (String bean : List.of("jdbcJobQueue", "jobHandlerRegistry")) {
					assertThat(beanFactory.getBeanDefinition(bean).getDependsOn()).as(bean)
						.contains("sqlQueueSchemaInitializer", "flywayInitializer");
				}
			});
	}

	@Test
	void bindsGenericPayloadsAndTakesTheContextInAnyPosition() {
		this.runner.withUserConfiguration(Handlers.class).run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			long id = queue.enqueue("greet-all", List.of(new Greeting("a"), new Greeting("b")));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> queue.find(id).orElseThrow().state() == JobState.SUCCEEDED);
			assertThat(context.getBean(Handlers.class).greeted).containsExactly("a", "b");
		});
	}

	@Test
	void runsRecurringJobsDefinedInProperties() {
		this.runner.withUserConfiguration(Handlers.class)
			.withPropertyValues("sqlqueue.schedules.every-second.cron=* * * * * *",
					"sqlqueue.schedules.every-second.type=greet", "sqlqueue.schedules.every-second.payload.name=cron",
					"sqlqueue.schedules.every-second.zone=Europe/Paris",
					"sqlqueue.schedules.every-second.missed-runs=skip")
			.run((context) -> {
				assertThat(context.getBean(JobHandlerRegistry.class).worker().orElseThrow().schedules())
					.singleElement()
					.satisfies((schedule) -> {
						assertThat(schedule.name()).isEqualTo("every-second");
						assertThat(schedule.zone()).hasToString("Europe/Paris");
						assertThat(schedule.missedRuns()).isEqualTo(RecurringSchedule.MissedRuns.SKIP);
					});
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(context.getBean(Handlers.class).greeted).contains("cron"));
			});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnQueue() {
		this.runner.withUserConfiguration(OwnQueue.class).run((context) -> {
			assertThat(context).hasSingleBean(JdbcJobQueue.class);
			assertThat(context.getBean(JdbcJobQueue.class)).isSameAs(context.getBean(OwnQueue.class).queue);
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> context.getBean(JdbcJobQueue.class).enqueue("big", "x".repeat(5000)))
				.withMessageContaining("over the limit of 4096 bytes");
		});
	}

	@Test
	void usesTheDataSourceQualifiedSqlQueueDataSource() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SqlQueueAutoConfiguration.class))
			.withUserConfiguration(TwoDataSources.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(Internals.store(context.getBean(JdbcJobQueue.class)).dataSource())
					.isSameAs(context.getBean("jobsDataSource"));
			});
	}

	@Test
	void usesThePrimaryDataSourceWhenNoneIsQualified() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SqlQueueAutoConfiguration.class))
			.withUserConfiguration(PrimaryDataSource.class)
			.run((context) -> assertThat(Internals.store(context.getBean(JdbcJobQueue.class)).dataSource())
				.isSameAs(context.getBean("main")));
	}

	@Test
	void runsHandlersOfProxiedBeansThroughTheProxy() {
		this.runner.withUserConfiguration(ProxiedHandler.class).run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			long id = queue.enqueue(new Greeting("proxied"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> queue.find(id).orElseThrow().state() == JobState.SUCCEEDED);
			assertThat(context.getBean(ProxiedHandler.class).advised).hasValue(1);
		});
	}

	@Test
	void failsWithSeveralDataSourcesAndNoneChosen() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SqlQueueAutoConfiguration.class))
			.withUserConfiguration(TwoPlainDataSources.class)
			.run((context) -> assertFailure(context, "@SqlQueueDataSource"));
	}

	@Test
	void enqueueOnlyNodeRegistersTypesButRunsNothing() {
		this.runner.withUserConfiguration(Handlers.class).withPropertyValues("sqlqueue.worker.enabled=false").run((context) -> {
			JobHandlerRegistry registry = context.getBean(JobHandlerRegistry.class);
			assertThat(registry.worker()).isEmpty();
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			long id = queue.enqueue(new Greeting("bob"));
			assertThat(queue.find(id).orElseThrow().type()).isEqualTo("greet");
			Thread.sleep(500);
			assertThat(queue.find(id).orElseThrow().state()).isEqualTo(JobState.READY);
			assertThat(context.getBean(Handlers.class).greeted).isEmpty();
		});
	}

	@Test
	void typedEnqueueOfAClassWithoutHandlerNamesTheFix() {
		this.runner.withUserConfiguration(Handlers.class).run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			assertThatExceptionOfType(UnknownJobTypeException.class).isThrownBy(() -> queue.enqueue(new Object() {
			})).withMessageContaining("enqueue with an explicit type");
		});
	}

	@Test
	void mapsPropertiesOntoTheWorker() {
		this.runner.withUserConfiguration(Handlers.class)
			.withPropertyValues("sqlqueue.defaults.concurrency=3", "sqlqueue.defaults.max-attempts=4",
					"sqlqueue.queues.mail.concurrency=2", "sqlqueue.queues.mail.lease=30s",
					"sqlqueue.queues.mail.backoff.policy=constant", "sqlqueue.queues.mail.backoff.base=2s",
					"sqlqueue.queues.mail.backoff.max=2s", "sqlqueue.queues.mail.max-attempts=7",
					"sqlqueue.worker.id=node-1")
			.run((context) -> {
				JobWorker worker = context.getBean(JobHandlerRegistry.class).worker().orElseThrow();
				assertThat(worker.workerId()).isEqualTo("node-1");
				QueueSettings mail = worker.queues().get("mail");
				assertThat(mail.concurrency()).isEqualTo(2);
				assertThat(mail.lease()).isEqualTo(Duration.ofSeconds(30));
				assertThat(mail.pollInterval()).isEqualTo(Duration.ofMillis(100));
				assertThat(mail.backoff()).isEqualTo(new Backoff(Backoff.Policy.CONSTANT, Duration.ofSeconds(2),
						Duration.ofSeconds(2), Backoff.DEFAULT.jitter()));
				assertThat(worker.queues().get("default").concurrency()).isEqualTo(3);
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				long toMail = queue.enqueue("other", "x", EnqueueOptions.defaults().withQueue("mail"));
				long toDefault = queue.enqueue("other", "x");
				assertThat(queue.find(toMail).orElseThrow().maxAttempts()).isEqualTo(7);
				assertThat(queue.find(toDefault).orElseThrow().maxAttempts()).isEqualTo(4);
			});
	}

	@Test
	void resolvesPlaceholdersInJobHandlerAttributes() {
		this.runner.withUserConfiguration(PlaceholderHandlers.class)
			.withPropertyValues("app.job-type=resize", "app.attempts=3", "app.queue=images", "app.base=250ms")
			.run((context) -> {
				JobHandlerEndpoint endpoint = context.getBean(JobHandlerRegistry.class).endpoints().get(0);
				assertThat(endpoint.spec().type()).isEqualTo("resize");
				assertThat(endpoint.spec().maxAttempts()).isEqualTo(3);
				assertThat(endpoint.spec().queue()).isEqualTo("images");
				assertThat(endpoint.specWithQueueBackoff(Backoff.DEFAULT).backoff())
					.isEqualTo(new Backoff(Backoff.Policy.LINEAR, Duration.ofMillis(250), Backoff.DEFAULT.max(),
							Backoff.DEFAULT.jitter()));
				assertThat(context.getBean(JobHandlerRegistry.class).worker().orElseThrow().queueNames())
					.contains("images");
			});
	}

	@Test
	void invalidPropertiesFailStartupNamingTheProperty() {
		assertInvalid("sqlqueue.defaults.concurrency=0", "sqlqueue.defaults.concurrency");
		assertInvalid("sqlqueue.queues.mail.lease=10ms", "sqlqueue.queues.mail.lease");
		assertInvalid("sqlqueue.defaults.backoff.jitter=2", "sqlqueue.defaults.backoff.jitter");
		assertInvalid("sqlqueue.queues.mail.backoff.max=1ms", "sqlqueue.queues.mail.backoff.max");
		assertInvalid("sqlqueue.defaults.max-attempts=0", "sqlqueue.defaults.max-attempts");
		assertInvalid("sqlqueue.table-prefix=jobs;drop", "sqlqueue.table-prefix");
		assertInvalid("sqlqueue.schedules.nightly.cron=every night", "sqlqueue.schedules.nightly.cron");
		assertInvalid("sqlqueue.queues[bad/name].concurrency=1", "sqlqueue.queues.bad/name");
		assertInvalid("sqlqueue.retention.dead=-1d", "sqlqueue.retention.dead");
		assertInvalid("sqlqueue.worker.vacuum-interval=0s", "sqlqueue.worker.vacuum-interval");
		assertInvalid("sqlqueue.worker.vacuum-dead-rows=-1", "sqlqueue.worker.vacuum-dead-rows");
	}

	@Test
	void invalidPropertiesAreReportedInTheCoresWordsUnderThePropertysName() {
		assertInvalid("sqlqueue.queues.mail.concurrency=0", "Invalid sqlqueue.queues.mail.concurrency: must be at least 1, was 0");
		assertInvalid("sqlqueue.defaults.poll-interval=0s", "Invalid sqlqueue.defaults.poll-interval: must be positive, was PT0S");
		assertInvalid("sqlqueue.queues.mail.batch-size=0", "Invalid sqlqueue.queues.mail.batch-size: must be at least 1, was 0");
		assertInvalid("sqlqueue.queues.mail.backoff.base=2h",
				"Invalid sqlqueue.queues.mail.backoff.max: must not be less than its base (PT2H), was PT1H");
		assertInvalid("sqlqueue.worker.rescue-interval=0s", "Invalid sqlqueue.worker.rescue-interval: must be positive, was PT0S");
		assertInvalid("sqlqueue.worker.vacuum-dead-rows=-1",
				"Invalid sqlqueue.worker.vacuum-dead-rows: must be 0 (none) or positive, was -1");
		assertInvalid("sqlqueue.shutdown-timeout=-1s", "Invalid sqlqueue.shutdown-timeout: must not be negative, was PT-1S");
		assertInvalid("sqlqueue.metrics.sample-interval=0s",
				"Invalid sqlqueue.metrics.sample-interval: must be positive, was PT0S");
		assertInvalid("sqlqueue.schedules.ok.zone=Mars/Olympus",
				"Invalid sqlqueue.schedules.ok.zone: must be a time zone id such as Europe/Paris, was 'Mars/Olympus'");
		assertInvalid("sqlqueue.schedules.ok.queue=no spaces", "Invalid sqlqueue.schedules.ok.queue: Invalid queue name 'no spaces'");
		assertInvalid("sqlqueue.schedules.nightly.cron=every night",
				"Invalid sqlqueue.schedules.nightly.cron: must be a Spring cron expression (six fields, seconds first,"
						+ " or a macro like @hourly), was 'every night'");
	}

	@Test
	void everyInvalidPropertyIsReportedInOneStartupFailure() {
		this.runner
			.withPropertyValues("sqlqueue.queues.mail.concurrency=0", "sqlqueue.queues.mail.lease=10ms",
					"sqlqueue.queues.mail.backoff.base=-1s", "sqlqueue.queues.mail.backoff.jitter=2",
					"sqlqueue.defaults.max-attempts=0", "sqlqueue.worker.clean-interval=0s",
					"sqlqueue.retention.dead=-1d")
			.run((context) -> assertFailure(context, "Invalid sqlqueue.queues.mail.concurrency: must be at least 1",
					"Invalid sqlqueue.queues.mail.lease: must be at least 1s, was PT0.01S",
					"Invalid sqlqueue.queues.mail.backoff.base: must not be negative, was PT-1S",
					"Invalid sqlqueue.queues.mail.backoff.jitter: must be between 0 and 1, was 2.0",
					"Invalid sqlqueue.defaults.max-attempts: must be positive or -1 (no limit), was 0",
					"Invalid sqlqueue.worker.clean-interval: must be positive, was PT0S",
					"Invalid sqlqueue.retention.dead: must not be negative, was PT-24H"));
	}

	@Test
	void anInvalidEnumPropertyFailsNamingThePropertyAndTheValidValues() {
		assertInvalid("sqlqueue.defaults.backoff.policy=fibonacci",
				"Invalid sqlqueue.defaults.backoff.policy: must be one of constant, linear, exponential, was 'fibonacci'");
		assertInvalid("sqlqueue.queues.mail.backoff.policy=random",
				"Invalid sqlqueue.queues.mail.backoff.policy: must be one of constant, linear, exponential, was 'random'");
		assertInvalid("sqlqueue.schedules.ok.missed-runs=sometimes",
				"Invalid sqlqueue.schedules.ok.missed-runs: must be one of run-once, skip, was 'sometimes'");
	}

	@Test
	void enumPropertiesIgnoreCaseDashesAndUnderscores() {
		this.runner
			.withPropertyValues("sqlqueue.defaults.backoff.policy=EXPONENTIAL", "sqlqueue.queues.mail.backoff.policy=Linear",
					"sqlqueue.schedules.a.cron=@daily", "sqlqueue.schedules.a.type=a", "sqlqueue.schedules.a.missed-runs=RUN_ONCE",
					"sqlqueue.schedules.b.cron=@daily", "sqlqueue.schedules.b.type=b", "sqlqueue.schedules.b.missed-runs=run-once")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SqlQueueProperties properties = context.getBean(SqlQueueProperties.class);
				assertThat(properties.defaultQueueSettings().backoff().policy()).isEqualTo(Backoff.Policy.EXPONENTIAL);
				assertThat(properties.queueSettings("mail").backoff().policy()).isEqualTo(Backoff.Policy.LINEAR);
				assertThat(properties.recurringSchedules()).extracting(RecurringSchedule::missedRuns)
					.containsOnly(RecurringSchedule.MissedRuns.RUN_ONCE);
			});
	}

	@Test
	void invalidJobHandlerAttributesAreReportedInTheCoresWordsUnderTheAttributesName() {
		assertInvalidHandler(BadJitter.class, "BadJitter.handle", "backoffJitter must be between 0 and 1, was 2.0");
		assertInvalidHandler(BadPolicy.class, "BadPolicy.handle",
				"backoff must be one of constant, linear, exponential, was 'fibonacci'");
		assertInvalidHandler(BadAttempts.class, "BadAttempts.handle", "maxAttempts must be positive or -1 (no limit), was 0");
		assertInvalidHandler(BadCron.class, "BadCron.handle", "cron must be a Spring cron expression");
		assertInvalidHandler(BadMissedRuns.class, "BadMissedRuns.handle",
				"missedRuns must be one of run-once, skip, was 'sometimes'");
		assertInvalidHandler(BadZone.class, "BadZone.handle", "zone must be a time zone id such as Europe/Paris, was 'Mars/Olympus'");
	}

	private void assertInvalidHandler(Class<?> configuration, String method, String problem) {
		withFreshDatabase(this.runner).withUserConfiguration(configuration)
			.run((context) -> assertFailure(context, "@JobHandler on bean", method, "is invalid: " + problem));
	}

	private static void assertFailure(AssertableApplicationContext context, String... parts) {
		assertThat(context).hasFailed();
		for (Throwable ex = context.getStartupFailure(); ex != null; ex = ex.getCause()) {
			String message = String.valueOf(ex.getMessage());
			if (Arrays.stream(parts).allMatch(message::contains)) {
				return;
			}
		}
		throw new AssertionError("No cause of the startup failure says all of " + List.of(parts) + ":\n"
				+ context.getStartupFailure());
	}

	private void assertInvalid(String property, String named) {
		withFreshDatabase(this.runner).withPropertyValues(property, "sqlqueue.schedules.ok.cron=@daily",
				"sqlqueue.schedules.ok.type=ok")
			.run((context) -> assertFailure(context, named));
	}

	@Test
	void withMigrateOffAMissingTableFailsStartupNamingTheFix() {
		this.runner.withPropertyValues("sqlqueue.schema.migrate=false")
			.run((context) -> assertFailure(context, "sqlqueue_job", "sqlqueue.schema.migrate=true"));
	}

	@Test
	void withMigrateOffAnExistingTableIsUsed() {
		String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		try (HikariDataSource dataSource = new HikariDataSource()) {
			dataSource.setJdbcUrl(url);
			dataSource.setUsername("sa");
			SqlQueueMigrations.migrate(dataSource);
			this.runner.withPropertyValues("spring.datasource.url=" + url, "sqlqueue.schema.migrate=false")
				.withClassLoader(new FilteredClassLoader(Flyway.class))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(JdbcJobQueue.class).count(null, null)).isZero();
				});
		}
	}

	@Test
	void withoutFlywayMigrateFailsStartupNamingTheFix() {
		this.runner.withClassLoader(new FilteredClassLoader(Flyway.class))
			.run((context) -> assertFailure(context, "org.flywaydb:flyway-core", "sqlqueue.schema.migrate=false"));
	}

	@Test
	void twoHandlersForOneTypeFailStartupNamingBoth() {
		this.runner.withUserConfiguration(Handlers.class, DuplicateHandler.class)
			.run((context) -> assertFailure(context, "Job type 'greet' has two @JobHandler methods", "Handlers.greet", "DuplicateHandler.alsoGreet"));
	}

	@Test
	void anUnusableSignatureFailsStartupNamingBeanAndMethod() {
		this.runner.withUserConfiguration(TwoPayloads.class)
			.run((context) -> assertFailure(context, "TwoPayloads.handle", "two payload parameters"));
	}

	@Test
	void anUnreadableAttributeFailsStartupNamingIt() {
		this.runner.withUserConfiguration(BadAttribute.class)
			.run((context) -> assertFailure(context, "BadAttribute.handle", "backoffBase = 'soon'"));
	}

	@Test
	void handlerBackoffIsCheckedAgainstItsQueuesBackoff() {
		this.runner.withUserConfiguration(LongBackoff.class)
			.withPropertyValues("sqlqueue.queues.reports.backoff.max=5h")
			.run((context) -> assertThat(context.getBean(JobHandlerRegistry.class).worker()).isPresent());
		withFreshDatabase(this.runner).withUserConfiguration(LongBackoff.class)
			.run((context) -> assertFailure(context, "LongBackoff.handle", "queue 'reports'",
					"must not be less than its base"));
	}

	@Test
	void appliesCustomizersInOrder() {
		this.runner.withUserConfiguration(Handlers.class, Customizers.class).run((context) -> {
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			queue.enqueue("medium", "x".repeat(150));
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> queue.enqueue("big", "x".repeat(250)))
				.withMessageContaining("over the limit of 200 bytes");
			assertThat(context.getBean(JobHandlerRegistry.class).worker().orElseThrow().workerId())
				.isEqualTo("second");
		});
	}

	@Test
	void addsInterceptorBeansInOrderAfterTheMdcInterceptor() {
		this.runner.withUserConfiguration(Handlers.class, Interceptors.class).run((context) -> {
			List<JobInterceptor> interceptors = Internals.services(context.getBean(JdbcJobQueue.class)).interceptors();
			assertThat(interceptors).hasSize(3);
			assertThat(interceptors.get(0)).isInstanceOf(MdcJobInterceptor.class);
			assertThat(interceptors.subList(1, 3)).containsExactly(context.getBean("first", JobInterceptor.class),
					context.getBean("second", JobInterceptor.class));
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			long id = queue.enqueue(new Greeting("eve"));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> queue.find(id).orElseThrow().state() == JobState.SUCCEEDED);
			assertThat(context.getBean(Interceptors.class).calls).containsExactly("first", "second");
		});
	}

	@Test
	void observesEnqueueAndProcessingWhenAnObservationRegistryExists() {
		List<String> observed = new CopyOnWriteArrayList<>();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(Observation.Context context) {
				observed.add(context.getName() + " " + context.getLowCardinalityKeyValue("type").getValue());
			}
		});
		this.runner.withUserConfiguration(Handlers.class)
			.withBean(ObservationRegistry.class, () -> observations)
			.run((context) -> {
				List<JobInterceptor> interceptors = Internals.services(context.getBean(JdbcJobQueue.class)).interceptors();
				assertThat(interceptors).hasSize(2);
				assertThat(interceptors.get(0)).isInstanceOf(MdcJobInterceptor.class);
				assertThat(interceptors.get(1)).isInstanceOf(ObservationJobInterceptor.class);
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				long id = queue.enqueue(new Greeting("obs"));
				await().atMost(Duration.ofSeconds(20))
					.until(() -> queue.find(id).orElseThrow().state() == JobState.SUCCEEDED);
				assertThat(observed).contains("sqlqueue.enqueue greet", "sqlqueue.process greet");
			});
	}

	@Test
	void metersOnlyWithAMeterRegistry() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(SqlQueueMetrics.class));
		withFreshDatabase(this.runner).withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasSingleBean(SqlQueueMetrics.class).hasSingleBean(SqlQueueGauges.class);
			JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
			queue.enqueue("counted", "x");
			assertThat(context.getBean(MeterRegistry.class).get("sqlqueue.jobs.enqueued").tag("type", "counted").counter()
				.count()).isEqualTo(1.0);
		});
	}

	@Test
	void endpointOnlyWhenExposed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(SqlQueueEndpoint.class));
		withFreshDatabase(this.runner).withPropertyValues("management.endpoints.web.exposure.include=sqlqueue")
			.run((context) -> assertThat(context).hasSingleBean(SqlQueueEndpoint.class));
	}

	@Test
	void endpointReplaysEveryDeadJobOfAQueue() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=sqlqueue", "sqlqueue.worker.enabled=false")
			.run((context) -> {
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				long a = queue.enqueue("report", "a");
				long b = queue.enqueue("report", "b");
				queue.kill(a, "test");
				queue.kill(b, "test");
				SqlQueueEndpoint endpoint = context.getBean(SqlQueueEndpoint.class);
				assertThat(endpoint.queues(null, 1, null, null, null).dead()).hasSize(1);
				assertThat(endpoint.queues(null, 1, null, null, null).nextAfterId()).isEqualTo(a);
				assertThat(endpoint.queues(null, 1, a, null, null).dead()).extracting(SqlQueueEndpoint.JobSummary::id)
					.containsExactly(b);
				assertThat(endpoint.queues(null, null, null, 1, 1).dead()).extracting(SqlQueueEndpoint.JobSummary::id)
					.containsExactly(b);
				assertThat(endpoint.queues(null, null, null, 2, 1).dead()).isEmpty();
				assertThat(endpoint.queues(null, null, null, null, null).queues().get("default")).containsEntry("DEAD", 2L);
				assertThat(endpoint.replay(null, "default").replayed()).isEqualTo(2);
				assertThat(queue.find(a).orElseThrow().state()).isEqualTo(JobState.READY);
				assertThat(endpoint.job(999_999)).isNull();
			});
	}

	@Test
	void endpointRefusesBadArgumentsAndImpossibleReplaysSayingWhy() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=sqlqueue", "sqlqueue.worker.enabled=false")
			.run((context) -> {
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				SqlQueueEndpoint endpoint = context.getBean(SqlQueueEndpoint.class);
				assertThat(context).hasSingleBean(SqlQueueEndpointWebExtension.class);
				assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(() -> endpoint.replay(null, null))
					.withMessageContaining("Give either 'id'");
				assertThatExceptionOfType(InvalidEndpointRequestException.class)
					.isThrownBy(() -> endpoint.queues(null, 0, null, null, null))
					.withMessage("limit must be between 1 and 10000, was 0");
				assertThatExceptionOfType(SqlQueueEndpoint.ReplayRefusedException.class)
					.isThrownBy(() -> endpoint.replay(999_999L, null))
					.withMessage("no job 999999")
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(SqlQueueEndpoint.ReplayRefusedException.Reason.NO_SUCH_JOB));
				long ready = queue.enqueue("report", "a");
				assertThatExceptionOfType(SqlQueueEndpoint.ReplayRefusedException.class)
					.isThrownBy(() -> endpoint.replay(ready, null))
					.withMessage("job " + ready + " is READY, only DEAD jobs can be replayed");
			});
	}

	@Test
	void endpointStaysUsableOverJmx() {
		this.runner.withConfiguration(AutoConfigurations.of(JmxAutoConfiguration.class, EndpointAutoConfiguration.class,
				JmxEndpointAutoConfiguration.class))
			.withPropertyValues("spring.jmx.enabled=true", "spring.jmx.default-domain=sqlqueue-" + UUID.randomUUID(),
					"management.endpoints.jmx.exposure.include=sqlqueue", "sqlqueue.worker.enabled=false")
			.run((context) -> {
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				long dead = queue.enqueue("report", "a");
				queue.kill(dead, "test");
				MBeanServer server = context.getBean(MBeanServer.class);
				ObjectName name = server.queryNames(new ObjectName("*:type=Endpoint,name=Sqlqueue,*"), null)
					.iterator()
					.next();
				Object replayed = server.invoke(name, "replay", new Object[] { dead, null },
						new String[] { Long.class.getName(), String.class.getName() });
				assertThat(replayed).asString().contains("replayed=1");
				assertThat(queue.find(dead).orElseThrow().state()).isEqualTo(JobState.READY);
				assertThatExceptionOfType(MBeanException.class)
					.isThrownBy(() -> server.invoke(name, "replay", new Object[] { 999_999L, null },
							new String[] { Long.class.getName(), String.class.getName() }))
					.withMessageContaining("no job 999999");
			});
	}

	@Test
	void healthIsDownWhileTheDatabaseIsUnreachable() {
		this.runner.withUserConfiguration(Handlers.class, SwitchableDataSource.class).run((context) -> {
			SqlQueueHealthIndicator health = context.getBean(SqlQueueHealthIndicator.class);
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			context.getBean(SwitchableDataSource.class).down.set(true);
			Health down = health.health();
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("reason", "database unreachable");
			// the worker's own claims fail too, and it reports why
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(health.health().getDetails()).containsKey("lastError"));
			context.getBean(SwitchableDataSource.class).down.set(false);
			// UP again once the worker's own next database call succeeds, not merely the health check's
			await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.UP));
		});
	}

	@Test
	void aShortDatabaseOutageLosesNoOutcome() {
		this.runner.withUserConfiguration(BlipHandlers.class, SwitchableDataSource.class)
			.withPropertyValues("sqlqueue.defaults.backoff.policy=constant", "sqlqueue.defaults.backoff.base=100ms",
					"sqlqueue.defaults.backoff.max=100ms")
			.run((context) -> {
				JdbcJobQueue queue = context.getBean(JdbcJobQueue.class);
				BlipHandlers handlers = context.getBean(BlipHandlers.class);
				AtomicBoolean down = context.getBean(SwitchableDataSource.class).down;
				long failing = queue.enqueue("fails-once", "a");
				long succeeding = queue.enqueue("succeeds", "b");
				assertThat(handlers.bothStarted.await(20, TimeUnit.SECONDS)).isTrue();

				// both outcomes are written while the database is away: a retry and a success
				down.set(true);
				handlers.release.countDown();
				Thread.sleep(700);
				down.set(false);

				await().atMost(Duration.ofSeconds(30))
					.until(() -> queue.find(succeeding).orElseThrow().state() == JobState.SUCCEEDED
							&& queue.find(failing).orElseThrow().state() == JobState.SUCCEEDED);
				assertThat(queue.find(succeeding).orElseThrow().attempt()).isEqualTo(1);
				assertThat(queue.find(failing).orElseThrow().attempt()).isEqualTo(2);
				assertThat(handlers.runs).containsEntry("succeeds", 1).containsEntry("fails-once", 2);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class BlipHandlers {

		final CountDownLatch bothStarted = new CountDownLatch(2);

		final CountDownLatch release = new CountDownLatch(1);

		final Map<String, Integer> runs = new ConcurrentHashMap<>();

		@JobHandler("fails-once")
		void failsOnce(String payload, JobContext context) throws InterruptedException {
			run("fails-once");
			if (context.attempt() == 1) {
				throw new IllegalStateException("first attempt fails");
			}
		}

		@JobHandler("succeeds")
		void succeeds(String payload) throws InterruptedException {
			run("succeeds");
		}

		private void run(String type) throws InterruptedException {
			if (this.runs.merge(type, 1, Integer::sum) == 1) {
				this.bothStarted.countDown();
				this.release.await();
			}
		}

	}

	record Greeting(String name) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Handlers {

		final List<String> greeted = new CopyOnWriteArrayList<>();

		@JobHandler("greet")
		String greet(Greeting greeting, JobContext context) {
			this.greeted.add(greeting.name());
			return "hello " + greeting.name();
		}

		@JobHandler("greet-all")
		void greetAll(JobContext context, List<Greeting> greetings) {
			// the elements must arrive as Greeting, not as maps: the generic type is honoured
			greetings.forEach((greeting) -> this.greeted.add(greeting.name()));
		}

	}

	static class JobTableReader {

		final long jobsAtStartup;

		JobTableReader(DataSource dataSource) {
			this.jobsAtStartup = new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM sqlqueue_job", Long.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReadsTheJobTableAtStartup {

		@Bean
		@DependsOnDatabaseInitialization
		JobTableReader jobTableReader(DataSource dataSource) {
			return new JobTableReader(dataSource);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DuplicateHandler {

		@JobHandler("greet")
		void alsoGreet(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPayloads {

		@JobHandler("two")
		void handle(Greeting greeting, String other) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadAttribute {

		@JobHandler(value = "bad", backoffBase = "soon")
		void handle(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadJitter {

		@JobHandler(value = "bad", backoffJitter = "2")
		void handle(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadPolicy {

		@JobHandler(value = "bad", backoff = "fibonacci")
		void handle(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadAttempts {

		@JobHandler(value = "bad", maxAttempts = "0")
		void handle(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadCron {

		@JobHandler(value = "bad", cron = "every night")
		void handle() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadMissedRuns {

		@JobHandler(value = "bad", cron = "@daily", missedRuns = "sometimes")
		void handle() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadZone {

		@JobHandler(value = "bad", cron = "@daily", zone = "Mars/Olympus")
		void handle() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LongBackoff {

		@JobHandler(value = "report", queue = "reports", backoffBase = "2h")
		void handle(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderHandlers {

		@JobHandler(value = "${app.job-type}", maxAttempts = "${app.attempts}", queue = "${app.queue}",
				backoff = "linear", backoffBase = "${app.base}")
		void handle(List<Greeting> batch) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnQueue {

		final JdbcJobQueue queue;

		OwnQueue(DataSource dataSource) {
			SqlQueueMigrations.migrate(dataSource);
			this.queue = JdbcJobQueue.builder(dataSource).maxPayloadBytes(4096).build();
		}

		@Bean
		JdbcJobQueue myQueue() {
			return this.queue;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		@Bean
		@Primary
		DataSource appDataSource() {
			return h2();
		}

		@Bean
		@SqlQueueDataSource
		DataSource jobsDataSource() {
			return h2();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryDataSource {

		@Bean
		@Primary
		DataSource main() {
			return h2();
		}

		@Bean
		DataSource reporting() {
			return h2();
		}

	}

	static class GreetingTarget {

		@JobHandler("greet")
		void greet(Greeting greeting) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ProxiedHandler {

		final AtomicInteger advised = new AtomicInteger();

		@Bean
		GreetingTarget greetingTarget() {
			ProxyFactory factory = new ProxyFactory(new GreetingTarget());
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				this.advised.incrementAndGet();
				return invocation.proceed();
			});
			return (GreetingTarget) factory.getProxy();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPlainDataSources {

		@Bean
		DataSource one() {
			return h2();
		}

		@Bean
		DataSource two() {
			return h2();
		}

	}

	static HikariDataSource h2() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		return dataSource;
	}

	@Configuration(proxyBeanMethods = false)
	static class SwitchableDataSource extends DelegatingDataSource {

		final AtomicBoolean down = new AtomicBoolean();

		SwitchableDataSource() {
			super(h2());
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.down.get()) {
				throw new SQLException("Connection refused (test)", "08001");
			}
			return super.getConnection();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		@Bean
		@Order(2)
		JdbcJobQueueCustomizer smallerPayloads() {
			return (builder) -> builder.maxPayloadBytes(200);
		}

		@Bean
		@Order(1)
		JdbcJobQueueCustomizer smallPayloads() {
			return (builder) -> builder.maxPayloadBytes(100);
		}

		@Bean
		@Order(1)
		JobWorkerCustomizer firstId() {
			return (builder) -> builder.workerId("first");
		}

		@Bean
		@Order(2)
		JobWorkerCustomizer secondId() {
			return (builder) -> builder.workerId("second");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Interceptors {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(20)
		JobInterceptor second() {
			return new JobInterceptor() {
				@Override
				public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
					Interceptors.this.calls.add("second");
					chain.proceed();
				}
			};
		}

		@Bean
		@Order(10)
		JobInterceptor first() {
			return new JobInterceptor() {
				@Override
				public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
					Interceptors.this.calls.add("first");
					chain.proceed();
				}
			};
		}

	}

}
