package io.sqlqueue.test;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.worker.JobWorker;

/**
 * A JUnit Jupiter extension for tests that use sqlqueue's core without Spring: before each test it takes a
 * {@code DataSource} from the supplier, migrates sqlqueue's tables into it, builds a queue and a worker that is
 * not started, and injects a {@link SqlQueueTester}, the {@link JdbcJobQueue} or the {@link JobWorker} into test
 * methods' parameters; after it, stops the worker if the test started it, and closes the {@code DataSource} if it
 * is {@link AutoCloseable}. Give each test a database of its own (an in-memory H2 with a fresh name, say):
 * {@link SqlQueueTester#advance(Duration)} changes the whole table.
 *
 * <pre>{@code
 * @RegisterExtension
 * static SqlQueueExtension sqlqueue = SqlQueueExtension
 *         .withDataSource(() -> new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:" + UUID.randomUUID()
 *                 + ";DB_CLOSE_DELAY=-1"))
 *         .worker((worker) -> worker.handler("greet", String.class, (name, ctx) -> greeter.greet(name)));
 *
 * @Test
 * void greets(SqlQueueTester queue) {
 *     queue.queue().enqueue("greet", "Ada");
 *     assertThat(queue.drain()).hasSize(1);
 * }
 * }</pre>
 */
public final class SqlQueueExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SqlQueueExtension.class);

	private final Supplier<? extends DataSource> dataSources;

	private final UnaryOperator<JdbcJobQueue.Builder> queueCustomizer;

	private final Consumer<JobWorker.Builder> workerCustomizer;

	private final String tablePrefix;

	private volatile SqlQueueTester current;

	private SqlQueueExtension(Supplier<? extends DataSource> dataSources, UnaryOperator<JdbcJobQueue.Builder> queue,
			Consumer<JobWorker.Builder> worker, String tablePrefix) {
		this.dataSources = dataSources;
		this.queueCustomizer = queue;
		this.workerCustomizer = worker;
		this.tablePrefix = tablePrefix;
	}

	/** An extension that takes a database for each test from {@code dataSources}. */
	public static SqlQueueExtension withDataSource(Supplier<? extends DataSource> dataSources) {
		return new SqlQueueExtension(Objects.requireNonNull(dataSources, "dataSources must not be null"),
				UnaryOperator.identity(), (builder) -> {
				}, SqlQueueMigrations.DEFAULT_TABLE_PREFIX);
	}

	/** Configures each test's queue (interceptors, listeners, codec) after the table prefix is set. */
	public SqlQueueExtension queue(UnaryOperator<JdbcJobQueue.Builder> customizer) {
		return new SqlQueueExtension(this.dataSources, Objects.requireNonNull(customizer, "customizer must not be null"),
				this.workerCustomizer, this.tablePrefix);
	}

	/**
	 * Configures each test's worker: its handlers, queues and schedules. It is built with maintenance and
	 * notifications off, and never started by the extension.
	 */
	public SqlQueueExtension worker(Consumer<JobWorker.Builder> customizer) {
		return new SqlQueueExtension(this.dataSources, this.queueCustomizer,
				Objects.requireNonNull(customizer, "customizer must not be null"), this.tablePrefix);
	}

	/** The prefix of sqlqueue's tables (default {@code sqlqueue_}). */
	public SqlQueueExtension tablePrefix(String tablePrefix) {
		return new SqlQueueExtension(this.dataSources, this.queueCustomizer, this.workerCustomizer,
				Objects.requireNonNull(tablePrefix, "tablePrefix must not be null"));
	}

	/**
	 * The tester of the test that runs now.
	 * @throws IllegalStateException outside a test
	 */
	public SqlQueueTester tester() {
		SqlQueueTester tester = this.current;
		if (tester == null) {
			throw new IllegalStateException("No test is running: the SqlQueueTester exists from @BeforeEach to @AfterEach");
		}
		return tester;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		DataSource dataSource = Objects.requireNonNull(this.dataSources.get(), "the DataSource supplier returned null");
		SqlQueueMigrations.migrate(dataSource, this.tablePrefix);
		JdbcJobQueue queue = this.queueCustomizer.apply(JdbcJobQueue.builder(dataSource).tablePrefix(this.tablePrefix))
			.build();
		JobWorker.Builder builder = JobWorker.builder(queue).maintenance(false).listen(false);
		this.workerCustomizer.accept(builder);
		SqlQueueTester tester = SqlQueueTester.of(queue, builder.build());
		context.getStore(NAMESPACE).put(SqlQueueTester.class, tester);
		context.getStore(NAMESPACE).put(DataSource.class, dataSource);
		this.current = tester;
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		this.current = null;
		SqlQueueTester tester = context.getStore(NAMESPACE).remove(SqlQueueTester.class, SqlQueueTester.class);
		DataSource dataSource = context.getStore(NAMESPACE).remove(DataSource.class, DataSource.class);
		if (tester != null) {
			tester.worker().stop(Duration.ofSeconds(5));
			tester.queue().close();
		}
		if (dataSource instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		Class<?> type = parameter.getParameter().getType();
		return type == SqlQueueTester.class || type == JdbcJobQueue.class || type == JobWorker.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		SqlQueueTester tester = context.getStore(NAMESPACE).get(SqlQueueTester.class, SqlQueueTester.class);
		if (tester == null) {
			throw new IllegalStateException("SqlQueueExtension injects into test methods and @BeforeEach methods only");
		}
		Class<?> type = parameter.getParameter().getType();
		return (type == SqlQueueTester.class) ? tester : (type == JdbcJobQueue.class) ? tester.queue() : tester.worker();
	}

}
