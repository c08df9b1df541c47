package io.sqlqueue.worker;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.InvalidSettingException;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobHandlerFunction;
import io.sqlqueue.JobQueue;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.internal.QueueAccess;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.internal.execution.WorkerConfig;
import io.sqlqueue.internal.execution.WorkerNode;
import io.sqlqueue.internal.schedule.RecurringScheduler;

/**
 * Runs handlers for the jobs of a {@link JdbcJobQueue}: per queue, a producer that claims due jobs into free
 * handler threads; one completer that writes every outcome in batches; heartbeats; PostgreSQL LISTEN
 * wake-ups; recurring schedules; and maintenance (lease rescue, retention, vacuum), which one elected node
 * of the cluster runs at a time.
 *
 * <pre>{@code
 * JobWorker worker = JobWorker.builder(jobQueue)
 *         .queue("mail", QueueSettings.defaults().withConcurrency(4))
 *         .handler(HandlerSpec.of("send-email", SendEmail.class, (email, ctx) -> mailer.send(email)).onQueue("mail"))
 *         .build();
 * worker.start();
 * ...
 * worker.stop(Duration.ofSeconds(30));
 * }</pre>
 */
public final class JobWorker implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(JobWorker.class);

	/**
	 * The most outcomes a node holds waiting to be written unless configured: when that many wait, handlers
	 * wait to hand theirs over and the node claims nothing more.
	 */
	public static final int DEFAULT_OUTCOME_BACKLOG = 2000;

	/** The most runs one {@link #drain()} makes before it gives up on jobs that keep becoming due. */
	public static final int MAX_DRAIN_RUNS = 10_000;

	private final WorkerConfig config;

	private final List<RecurringSchedule> schedules;

	private final Map<String, QueueSettings> queueSettings;

	/** Ticks schedules when asked, running or not; the running node has its own on a timer. */
	private final RecurringScheduler recurring;

	private WorkerNode node;

	/** The node {@link #drain()} runs jobs on while this worker is not started, built at the first drain. */
	private WorkerNode manualNode;

	private volatile boolean running;

	private JobWorker(Builder builder) {
		Map<String, HandlerSpec<?>> handlers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.handlers));
		this.queueSettings = WorkerConfig.queues(handlers, builder.queues, builder.defaults);
		this.schedules = List.copyOf(builder.schedules.values());
		QueueServices services = QueueAccess.servicesOf(builder.queue);
		MaintenanceSettings maintenance = builder.maintenanceSettings;
		this.config = new WorkerConfig(services, handlers, this.queueSettings,
				(builder.workerId != null) ? builder.workerId : WorkerConfig.defaultWorkerId(), builder.listen, maintenance, builder.maintenance,
				this.schedules, builder.classifier, builder.clock, builder.outcomeBacklog, builder.slowFlush);
		this.recurring = new RecurringScheduler(services, this.schedules);
		if (!services.store().vendor().supportsMultipleNodes()) {
			logger.info("sqlqueue on {} runs on a single node: do not share its database file between processes",
					services.store().vendor());
		}
	}

	/** A builder for a worker of {@code queue}. */
	public static Builder builder(JdbcJobQueue queue) {
		return new Builder(queue);
	}

	/** Starts claiming and running jobs on every queue. Does nothing when running already. */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.node = new WorkerNode(this.config);
		this.node.start();
		this.running = true;
		logger.info("sqlqueue worker {} started on queues {} with handlers for {}", workerId(), queueNames(),
				new java.util.TreeSet<>(this.config.handlers().keySet()));
	}

	/**
	 * Stops gracefully: stops claiming, lets running handlers finish within {@code timeout}, then interrupts
	 * the rest and makes their jobs READY so that other nodes pick them up at once. Outcomes still waiting are
	 * written (within the timeout, at least 5 s) and, when this node led the maintenance, another node takes
	 * over.
	 * @return whether every running handler finished in time
	 */
	public boolean stop(Duration timeout) {
		WorkerNode stopping;
		synchronized (this) {
			if (!this.running) {
				return true;
			}
			this.running = false;
			stopping = this.node;
		}
		WorkerNode.Stopped stopped = stopping.stop(timeout);
		logger.info("sqlqueue worker {} stopped{}", workerId(), stopped.finished() ? ""
				: "; " + stopped.released() + " unfinished jobs were released for other workers");
		return stopped.finished();
	}

	/** Stops with a 30 second timeout. */
	@Override
	public void close() {
		stop(Duration.ofSeconds(30));
	}

	/** Whether this worker was started and its {@link #stop(Duration)} has not begun. */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Checks recurring schedule {@code name} now instead of at the next second.
	 * @return the id of the job this call enqueued for a due tick, if any
	 */
	public Optional<Long> tickRecurring(String name) {
		return this.schedules.stream()
			.filter((schedule) -> schedule.name().equals(name))
			.findFirst()
			.flatMap(this.recurring::tick);
	}

	/**
	 * Runs every due job of this worker's queues that it has a handler for on the calling thread, one at a time
	 * and in claim order, until none is due, and returns each run: the worker's handlers, interceptors, retries,
	 * dead-lettering and listeners as a started worker runs them, but no handler timeout. Due recurring ticks are
	 * enqueued first, and jobs the runs make due (follow-ups, retries without backoff) run too. For tests and
	 * applications that run jobs when they choose (Spring Boot's {@code sqlqueue.worker.mode=manual}); enqueue
	 * and drain in one transaction, and the jobs run in it.
	 *
	 * <pre>{@code
	 * jobs.enqueue(new SendEmail("ada@example.com"));
	 * List<JobRun> runs = worker.drain();
	 * }</pre>
	 * @return the runs in the order they ran, none when nothing was due
	 * @throws IllegalStateException when the worker is started, or when jobs keep becoming due for
	 * {@value #MAX_DRAIN_RUNS} runs
	 */
	public List<JobRun> drain() {
		return drain(MAX_DRAIN_RUNS);
	}

	/**
	 * As {@link #drain()}, giving up after {@code maxRuns} runs.
	 * @throws IllegalStateException when the worker is started, or when jobs are still due after {@code maxRuns}
	 * runs
	 */
	public synchronized List<JobRun> drain(int maxRuns) {
		InvalidSettingException.requireAtLeast("maxRuns", 1, maxRuns);
		if (this.running) {
			throw new IllegalStateException("sqlqueue worker " + workerId() + " is started: drain() runs jobs only on a"
					+ " worker that is not (in Spring Boot, set sqlqueue.worker.mode=manual)");
		}
		if (this.manualNode == null) {
			this.manualNode = new WorkerNode(this.config);
		}
		return this.manualNode.drain(maxRuns);
	}

	/** The handlers of this worker by job type. */
	public Map<String, HandlerSpec<?>> handlers() {
		return this.config.handlers();
	}

	/** Which handler failures go to the dead letter at once instead of being retried. */
	public ExceptionClassifier exceptionClassifier() {
		return this.config.classifier();
	}

	/** The recurring schedules this worker runs. */
	public List<RecurringSchedule> schedules() {
		return this.schedules;
	}

	/** Claims on {@code queueName} at once, if this worker works it. */
	public void wake(String queueName) {
		WorkerNode current = this.node;
		if (current != null && this.running) {
			current.wake(queueName);
		}
	}

	/** The queues this worker works, with their settings. */
	public Map<String, QueueSettings> queues() {
		return this.queueSettings;
	}

	/** The names of the queues this worker works. */
	public Set<String> queueNames() {
		return this.queueSettings.keySet();
	}

	/** Handlers running now on {@code queueName}. */
	public int busy(String queueName) {
		WorkerNode current = this.node;
		return (current != null && this.running) ? current.busy(queueName) : 0;
	}

	/** How this worker is doing. */
	public WorkerHealth health() {
		WorkerNode current = this.node;
		return (current != null) ? current.health(this.running) : WorkerHealth.stopped();
	}

	/**
	 * Whether this node is the one the cluster elected to run the maintenance (lease rescue, retention,
	 * vacuum) now; {@code false} when stopped or built with {@code maintenance(false)}.
	 */
	public boolean leadsMaintenance() {
		WorkerNode current = this.node;
		return current != null && this.running && current.leadsMaintenance();
	}

	/** This worker's id, stored in {@code locked_by} of the jobs it runs. */
	public String workerId() {
		return this.config.workerId();
	}

	/** Configures a {@link JobWorker}. */
	public static final class Builder {

		private final JdbcJobQueue queue;

		private QueueSettings defaults = QueueSettings.defaults();

		private final Map<String, QueueSettings> queues = new LinkedHashMap<>();

		private final Map<String, HandlerSpec<?>> handlers = new LinkedHashMap<>();

		private String workerId;

		private MaintenanceSettings maintenanceSettings = MaintenanceSettings.defaults();

		private boolean maintenance = true;

		private boolean listen = true;

		private final Map<String, RecurringSchedule> schedules = new LinkedHashMap<>();

		private ExceptionClassifier classifier = ExceptionClassifier.defaults();

		private InstantSource clock = InstantSource.system();

		private int outcomeBacklog = DEFAULT_OUTCOME_BACKLOG;

		private Duration slowFlush = Duration.ofSeconds(1);

		Builder(JdbcJobQueue queue) {
			this.queue = Objects.requireNonNull(queue, "queue must not be null");
		}

		/** Settings of every queue not configured on its own. */
		public Builder defaults(QueueSettings defaults) {
			this.defaults = Objects.requireNonNull(defaults, "defaults must not be null");
			this.queue.types().setDefaultMaxAttempts(defaults.maxAttempts());
			return this;
		}

		/** Works {@code name} with {@code settings}, whether or not a handler names it. */
		public Builder queue(String name, QueueSettings settings) {
			JobQueue.validateQueueName(name);
			this.queues.put(name, Objects.requireNonNull(settings, "settings must not be null"));
			this.queue.types().setQueueMaxAttempts(name, settings.maxAttempts());
			return this;
		}

		/** Registers a handler on the default queue. */
		public <T> Builder handler(String type, Class<T> payloadClass, JobHandlerFunction<T> handler) {
			return handler(HandlerSpec.of(type, payloadClass, handler));
		}

		/**
		 * Registers a handler.
		 * @throws IllegalStateException when its type has a handler already
		 */
		public Builder handler(HandlerSpec<?> spec) {
			Objects.requireNonNull(spec, "spec must not be null");
			if (this.handlers.containsKey(spec.type())) {
				throw new IllegalStateException("Job type '" + spec.type() + "' has two handlers");
			}
			this.handlers.put(spec.type(), spec);
			Class<?> payloadClass = (spec.payloadType() instanceof Class<?> c) ? c : null;
			this.queue.types().register(spec.type(), payloadClass, spec.queue(), spec.maxAttempts());
			return this;
		}

		/**
		 * Runs a recurring schedule: this node takes part in enqueueing its ticks.
		 * @throws IllegalStateException when a schedule of that name is registered already
		 */
		public Builder schedule(RecurringSchedule schedule) {
			Objects.requireNonNull(schedule, "schedule must not be null");
			if (this.schedules.putIfAbsent(schedule.name(), schedule) != null) {
				throw new IllegalStateException("Recurring schedule '" + schedule.name() + "' is registered twice");
			}
			return this;
		}

		/** The id stored in {@code locked_by}; defaults to pid@host plus a random suffix. */
		public Builder workerId(@Nullable String workerId) {
			this.workerId = workerId;
			return this;
		}

		/** How the job table is maintained (default {@link MaintenanceSettings#defaults()}). */
		public Builder maintenance(MaintenanceSettings settings) {
			this.maintenanceSettings = Objects.requireNonNull(settings, "settings must not be null");
			return this;
		}

		/**
		 * Changes the maintenance settings given so far (by default {@link MaintenanceSettings#defaults()}):
		 * {@code maintenance((m) -> m.withRescueInterval(Duration.ofSeconds(5)))}.
		 */
		public Builder maintenance(UnaryOperator<MaintenanceSettings> change) {
			return maintenance(change.apply(this.maintenanceSettings));
		}

		/**
		 * Whether this node takes part in the maintenance (lease rescuer, retention cleaner, PostgreSQL's vacuum;
		 * default true). Of the nodes that do, one elected node runs it at a time.
		 */
		public Builder maintenance(boolean maintenance) {
			this.maintenance = maintenance;
			return this;
		}

		/** Whether to LISTEN for PostgreSQL notifications of new jobs (default true). */
		public Builder listen(boolean listen) {
			this.listen = listen;
			return this;
		}

		/**
		 * Which handler failures go to the dead letter at once instead of being retried (default
		 * {@link ExceptionClassifier#defaults()}).
		 */
		public Builder exceptionClassifier(ExceptionClassifier classifier) {
			this.classifier = Objects.requireNonNull(classifier, "classifier must not be null");
			return this;
		}

		/**
		 * The most outcomes this node holds waiting to be written (default {@value JobWorker#DEFAULT_OUTCOME_BACKLOG}):
		 * when the database writes them slower than the handlers finish, handlers wait to hand theirs over and the
		 * node claims no more, so that at most this many finished runs (plus the running ones) are unrecorded.
		 */
		public Builder outcomeBacklog(int outcomeBacklog) {
			this.outcomeBacklog = InvalidSettingException.requireAtLeast("outcomeBacklog", 1, outcomeBacklog);
			return this;
		}

		/**
		 * The clock of this worker's timers and health times (default the system clock); tests set one they
		 * advance by hand. Leases and due times come from the database's clock regardless.
		 */
		public Builder clock(InstantSource clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * A worker with this configuration, not yet started: call {@link JobWorker#start()}. Queues that handlers
		 * name but {@link #queue(String, QueueSettings)} does not get the {@link #defaults(QueueSettings)} settings.
		 */
		public JobWorker build() {
			return new JobWorker(this);
		}

	}

}
