package io.sqlqueue.test;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.UnknownJobTypeException;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.JobWorker;

/**
 * A test's handle on a queue and its worker: assertions on enqueued jobs, the payloads of a type bound to their
 * handler's class, running due jobs on the test's thread, a clock, and one handler run alone.
 *
 * <pre>{@code
 * @SpringBootTest(properties = "sqlqueue.worker.mode=manual")
 * class SignUpTests {
 *     @Autowired SqlQueueTester queue;
 *
 *     @Test void sendsAWelcomeMail() {
 *         signUp("ada@example.com");
 *         queue.assertThat().hasEnqueued(SendEmail.class, (email) -> email.to().equals("ada@example.com"));
 *         queue.drain();
 *     }
 * }
 * }</pre>
 *
 * <p>Jobs are read with {@link JdbcJobQueue#list(JobQuery)}, on the queue's {@code DataSource}: in a
 * {@code @Transactional} test the reads, and the claims and outcomes of {@link #drain()}, join the test's
 * transaction, so they see what it enqueued and roll back with it.
 */
public final class SqlQueueTester {

	private final JdbcJobQueue queue;

	private final Supplier<Optional<JobWorker>> worker;

	private SqlQueueTester(JdbcJobQueue queue, Supplier<Optional<JobWorker>> worker) {
		this.queue = Objects.requireNonNull(queue, "queue must not be null");
		this.worker = worker;
	}

	/** A tester of {@code queue} whose jobs {@code worker} runs; the worker must not be started to be drained. */
	public static SqlQueueTester of(JdbcJobQueue queue, JobWorker worker) {
		Objects.requireNonNull(worker, "worker must not be null");
		return new SqlQueueTester(queue, () -> Optional.of(worker));
	}

	/**
	 * A tester of {@code queue} whose worker is looked up at each use, since a framework may build it later: the
	 * Spring Boot starter builds it when the context starts.
	 */
	public static SqlQueueTester of(JdbcJobQueue queue, Supplier<Optional<JobWorker>> worker) {
		return new SqlQueueTester(queue, Objects.requireNonNull(worker, "worker must not be null"));
	}

	/** A tester of {@code queue} alone: assertions and the clock, but no drain or perform. */
	public static SqlQueueTester of(JdbcJobQueue queue) {
		return new SqlQueueTester(queue, Optional::empty);
	}

	/** Assertions on the jobs of the queue. */
	public EnqueuedJobsAssert assertThat() {
		return new EnqueuedJobsAssert(this);
	}

	/** Every job of {@code type}, in any state, oldest first. */
	public List<Job> jobs(String type) {
		return read(JobQuery.all().ofType(Objects.requireNonNull(type, "type must not be null")));
	}

	/** Every job of the queue's table, oldest first. */
	public List<Job> allJobs() {
		return read(JobQuery.all());
	}

	/** The jobs of {@code type} that wait to run (READY or WAITING), oldest first. */
	public List<Job> enqueued(String type) {
		JobCriteria waiting = JobCriteria.any();
		return jobs(type).stream().filter((job) -> waiting.matches(job, codec())).toList();
	}

	/**
	 * The payloads of the jobs of {@code type} that wait to run, oldest first, read as the type its handler
	 * declares (generic types included) with the queue's codec.
	 * @throws UnknownJobTypeException when no handler or registration declares the type's payload class
	 */
	public List<Object> enqueuedPayloads(String type) {
		Type payloadType = payloadType(type);
		return enqueued(type).stream().map((job) -> codec().decode(job.payload(), payloadType)).toList();
	}

	/**
	 * The payloads of the jobs of the type registered for {@code payloadClass} that wait to run, oldest first.
	 * @throws UnknownJobTypeException when no handler declares {@code payloadClass}
	 */
	public <T> List<T> enqueuedPayloads(Class<T> payloadClass) {
		return enqueued(typeOf(payloadClass)).stream()
			.map((job) -> payloadClass.cast(codec().decode(job.payload(), payloadClass)))
			.toList();
	}

	/**
	 * Runs every due job on this thread through the worker's real handlers, interceptors, retries and
	 * dead-lettering until none is due; see {@link JobWorker#drain()}.
	 * @return each run, in the order they ran
	 * @throws IllegalStateException when there is no worker, or it is started (in Spring Boot, set
	 * {@code sqlqueue.worker.mode=manual})
	 */
	public List<JobRun> drain() {
		return worker().drain();
	}

	/**
	 * Lets {@code duration} pass for the queue: jobs waiting for a due time become due that much earlier, and every
	 * recurring tick within it becomes due now (once), so that the next {@link #drain()} runs delayed jobs, retries
	 * after their backoff and cron ticks without waiting. The queue takes due times from the database's clock,
	 * which a test cannot set, so this moves the stored times back instead: it changes every waiting job of the
	 * table, which is why it is for a test's own database.
	 * @return how many jobs were moved
	 */
	public int advance(Duration duration) {
		return this.queue.moveDueTimesBack(duration);
	}

	/** {@link #advance(Duration)}, then {@link #drain()}. */
	public List<JobRun> advanceAndDrain(Duration duration) {
		advance(duration);
		return drain();
	}

	/**
	 * Runs the worker's handler of {@code type} once on this thread with {@code payload}, without a job table,
	 * through the queue's codec and interceptors and the worker's exception classifier.
	 * @throws IllegalStateException when there is no worker
	 * @throws UnknownJobTypeException when the worker has no handler of {@code type}
	 */
	public PerformResult perform(String type, Object payload) {
		JobWorker current = worker();
		JobPerformer.Builder performer = JobPerformer.builder()
			.handlers(current.handlers().values())
			.codec(codec())
			.exceptionClassifier(current.exceptionClassifier());
		this.queue.interceptors().forEach(performer::interceptor);
		return performer.build().perform(type, payload);
	}

	/** The queue. */
	public JdbcJobQueue queue() {
		return this.queue;
	}

	/**
	 * The worker.
	 * @throws IllegalStateException when there is none
	 */
	public JobWorker worker() {
		return this.worker.get()
			.orElseThrow(() -> new IllegalStateException("This SqlQueueTester has no worker: in Spring Boot the worker"
					+ " exists once the context has started and sqlqueue.worker.enabled is true"));
	}

	PayloadCodec codec() {
		return this.queue.codec();
	}

	/** The job type registered for {@code payloadClass}. */
	String typeOf(Class<?> payloadClass) {
		return this.queue.types().typeOf(payloadClass);
	}

	private Type payloadType(String type) {
		HandlerSpec<?> spec = this.worker.get().map((w) -> w.handlers().get(type)).orElse(null);
		if (spec != null) {
			return spec.payloadType();
		}
		Class<?> registered = this.queue.types().find(type).map((info) -> info.payloadClass()).orElse(null);
		if (registered == null) {
			throw new UnknownJobTypeException("No handler declares the payload class of job type '" + type + "'");
		}
		return registered;
	}

	private List<Job> read(JobQuery query) {
		List<Job> all = new ArrayList<>();
		JobQuery page = query.limit(JobQuery.MAX_LIMIT);
		while (true) {
			List<Job> jobs = this.queue.list(page);
			all.addAll(jobs);
			if (jobs.size() < JobQuery.MAX_LIMIT) {
				return all;
			}
			page = page.afterId(jobs.get(jobs.size() - 1).id());
		}
	}

}
