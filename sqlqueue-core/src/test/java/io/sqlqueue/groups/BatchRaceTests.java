package io.sqlqueue.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.testing.TestProcess;

/**
 * The race of a batch's last members, across worker processes of their own on the databases several nodes share:
 * 1,000 batches of 2 to 50 members each, worked by 3 {@link BatchRaceProcess}es at once, so that a batch's last
 * members often end at the same instant in two processes' completers.
 *
 * <p>What is counted: each batch has one {@code onComplete} callback job, and every run of a callback inserts a
 * row into a table with no unique key. A callback released twice would show as two runs; a release lost in the
 * race as a callback left WAITING and no run.
 * <ul>
 * <li>With every process alive at the worker's default lease and heartbeats, and the lease rescuer and the sweeper
 * of batches held back (a rescue interval of an hour), only the completers that end the members can release the callbacks: every batch's callback ran
 * exactly once (one row per batch) and succeeded.</li>
 * <li>With one process killed (SIGKILL) while the batches run, the other two and the lease rescuer finish
 * everything: every member succeeded, every batch finished, and its one callback job was released and succeeded.
 * A callback that was running in the killed process runs again once its lease has expired (delivery is at least
 * once), so what is asserted there is that the callback was released once: one callback job per batch, which
 * succeeded, and one recorded run at the attempt that succeeded; a batch with more than one run is one whose
 * callback's first attempts were cut short by the kill.</li>
 * </ul>
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class BatchRaceTests {

	private static final int BATCHES = 1000;

	@Parameter
	TestDatabase db;

	private final List<TestProcess> processes = new ArrayList<>();

	private JdbcTemplate jdbc;

	private JdbcJobQueue jobs;

	@AfterEach
	void tearDown() throws Exception {
		for (TestProcess process : this.processes) {
			process.close();
		}
	}

	@Test
	void everyCallbackRunsOnceWhenTheLastMembersEndOnThreeProcessesAtOnce() throws Exception {
		prepare();
		for (int n = 1; n <= 3; n++) {
			start("race-" + n, "calm");
		}
		long begin = System.nanoTime();
		Map<Long, Integer> batches = enqueueBatches();

		awaitExplained(() -> callbackRuns() >= BATCHES && this.jobs.count(null, JobState.RUNNING) == 0);
		System.out.printf("%s: %d batches of %d jobs finished on 3 processes in %d ms; callbacks run per process %s%n",
				this.db, BATCHES, batches.values().stream().mapToInt(Integer::intValue).sum(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), runsPerWorker());
		assertEveryBatchFinished(batches);
		Map<Long, Long> runs = new HashMap<>();
		this.jdbc.query("SELECT batch_id, COUNT(*) FROM " + BatchRaceProcess.CALLBACK_RUNS + " GROUP BY batch_id",
				(rs) -> {
					runs.put(rs.getLong(1), rs.getLong(2));
				});
		assertThat(runs).as("callback runs per batch").hasSize(BATCHES).containsOnlyKeys(batches.keySet());
		assertThat(runs.values()).as("callback runs per batch").containsOnly(1L);
	}

	@Test
	void noCallbackIsLostWhenAWorkerProcessIsKilledWhileTheBatchesRun() throws Exception {
		prepare();
		TestProcess victim = start("victim", "kill");
		start("survivor-1", "kill");
		start("survivor-2", "kill");
		Map<Long, Integer> batches = enqueueBatches();
		int members = batches.values().stream().mapToInt(Integer::intValue).sum();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
			.until(() -> this.jobs.count(BatchRaceProcess.QUEUE, JobState.SUCCEEDED) >= members / 3);

		int runningAtKill = this.jdbc.queryForObject("SELECT COUNT(*) FROM sqlqueue_job WHERE state = "
				+ JobState.RUNNING.code() + " AND locked_by = 'victim'", Integer.class);
		victim.kill();
		long killedAt = System.nanoTime();

		awaitExplained(() -> this.jobs.count(null, JobState.SUCCEEDED) == members + BATCHES);
		int rescued = this.jdbc.queryForObject("SELECT COUNT(*) FROM sqlqueue_job WHERE attempt > 1", Integer.class);
		System.out.printf("%s: a process killed with %d jobs running (%d jobs ran again); the %d batches finished %d ms"
				+ " after the kill; callbacks run per process %s%n", this.db, runningAtKill, rescued, BATCHES,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), runsPerWorker());
		assertEveryBatchFinished(batches);
		// the attempt of each batch's callback job that succeeded
		Map<Long, Integer> succeededAttempt = new HashMap<>();
		this.jdbc.query("SELECT callback_for, attempt FROM sqlqueue_job WHERE callback_for IS NOT NULL", (rs) -> {
			succeededAttempt.put(rs.getLong(1), rs.getInt(2));
		});
		Map<Long, List<Integer>> runAttempts = new HashMap<>();
		this.jdbc.query("SELECT batch_id, attempt FROM " + BatchRaceProcess.CALLBACK_RUNS, (rs) -> {
			runAttempts.computeIfAbsent(rs.getLong(1), (k) -> new ArrayList<>()).add(rs.getInt(2));
		});
		assertThat(runAttempts).as("batches whose callback ran").containsOnlyKeys(batches.keySet());
		runAttempts.forEach((batch, attempts) -> {
			int last = succeededAttempt.get(batch);
			assertThat(attempts).as("attempts of batch %d's callback that ran (its attempt %d succeeded)", batch, last)
				.containsOnlyOnce(last)
				.allSatisfy((attempt) -> assertThat(attempt).isBetween(1, last));
		});
	}

	/**
	 * Waits up to a minute for {@code done}; when it does not come, fails with what is unfinished and the warnings
	 * and errors the worker processes logged (the race's losses show only there).
	 */
	private void awaitExplained(Callable<Boolean> done) {
		try {
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(done);
		}
		catch (ConditionTimeoutException ex) {
			StringBuilder why = new StringBuilder("Not done within a minute: " + this.jdbc.queryForObject("SELECT COUNT(*)"
					+ " FROM sqlqueue_batch WHERE finished_at IS NULL", Integer.class) + " batches unfinished, jobs by state "
					+ this.jdbc.queryForList("SELECT state, COUNT(*) AS jobs FROM sqlqueue_job GROUP BY state"));
			for (TestProcess process : this.processes) {
				process.output().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")
						|| line.startsWith("Exception in thread")).limit(20).forEach((line) -> why.append("\n  ").append(line));
			}
			throw new AssertionError(why.toString(), ex);
		}
	}

	private void prepare() {
		DataSource dataSource = TestDatabases.fresh(this.db);
		this.jdbc = new JdbcTemplate(dataSource);
		this.jdbc.execute("CREATE TABLE " + BatchRaceProcess.CALLBACK_RUNS
				+ " (batch_id BIGINT NOT NULL, job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, worker VARCHAR(64) NOT NULL)");
		this.jobs = JdbcJobQueue.builder(dataSource).build();
	}

	private TestProcess start(String workerId, String mode) throws Exception {
		TestProcess process = TestProcess.start(BatchRaceProcess.class, workerId, TestDatabases.jdbcUrl(this.db), workerId,
				mode);
		this.processes.add(process);
		await().atMost(Duration.ofSeconds(60)).until(() -> process.output().contains(BatchRaceProcess.STARTED));
		return process;
	}

	/** Enqueues the batches, of 2 to 50 members each, from 4 threads. @return each batch's id and size */
	private Map<Long, Integer> enqueueBatches() throws Exception {
		EnqueueOptions onRaceQueue = EnqueueOptions.defaults().withQueue(BatchRaceProcess.QUEUE);
		Random random = new Random(24);
		List<Integer> sizes = IntStream.range(0, BATCHES).mapToObj((b) -> 2 + random.nextInt(49)).toList();
		Map<Long, Integer> batches = new ConcurrentHashMap<>();
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> enqueued = new ArrayList<>();
			for (int b = 0; b < BATCHES; b++) {
				int number = b;
				int size = sizes.get(b);
				enqueued.add(threads.submit(() -> batches.put(this.jobs.batch("race " + number)
					.addAll(IntStream.range(0, size).mapToObj((i) -> JobRequest.of(BatchRaceProcess.MEMBER, i, onRaceQueue)).toList())
					.onComplete(BatchRaceProcess.CALLBACK, number)
					.enqueue()
					.id(), size)));
			}
			for (Future<?> future : enqueued) {
				future.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
		return batches;
	}

	/** Every member succeeded, every batch finished with all its members counted, and has one callback, succeeded. */
	private void assertEveryBatchFinished(Map<Long, Integer> batches) {
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM sqlqueue_job WHERE state <> " + JobState.SUCCEEDED.code(),
				Integer.class)).as("jobs that did not succeed").isZero();
		Map<Long, Integer> succeeded = new HashMap<>();
		this.jdbc.query("SELECT id, succeeded FROM sqlqueue_batch WHERE finished_at IS NOT NULL", (rs) -> {
			succeeded.put(rs.getLong(1), rs.getInt(2));
		});
		assertThat(succeeded).as("finished batches and their members that succeeded").isEqualTo(batches);
		Map<Long, Long> callbacks = new HashMap<>();
		this.jdbc.query("SELECT callback_for, COUNT(*) FROM sqlqueue_job WHERE callback_for IS NOT NULL AND state = "
				+ JobState.SUCCEEDED.code() + " GROUP BY callback_for", (rs) -> {
					callbacks.put(rs.getLong(1), rs.getLong(2));
				});
		assertThat(callbacks).as("succeeded callback jobs per batch").containsOnlyKeys(batches.keySet());
		assertThat(callbacks.values()).containsOnly(1L);
	}

	private long callbackRuns() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM " + BatchRaceProcess.CALLBACK_RUNS, Long.class);
	}

	private List<Map<String, Object>> runsPerWorker() {
		return this.jdbc.queryForList("SELECT worker, COUNT(*) AS runs FROM " + BatchRaceProcess.CALLBACK_RUNS
				+ " GROUP BY worker ORDER BY worker");
	}

}
