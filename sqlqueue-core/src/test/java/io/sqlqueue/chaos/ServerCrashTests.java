package io.sqlqueue.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.SqlQueueMigrations;

/**
 * The database server itself crashes mid-drain and comes back 5 s later: PostgreSQL stopped with
 * {@code pg_ctl stop -m immediate} (WAL recovery at the next start), MariaDB killed with SIGKILL (InnoDB recovery),
 * each a server of the test's own ({@link OwnServer}). Three worker processes ({@link ChaosWorker}) drain the queue
 * throughout: none is restarted. Afterwards no job is lost, none is left RUNNING, every extra execution is
 * explained by a lease lost or a run failed by the crash after its write committed (as {@link ChaosTests} explains
 * them), each worker reported itself down while the server was and up after, and each ran jobs again. Then the
 * server crashes during an {@code enqueueAll} of 10,000 jobs: all of them exist afterwards or none.
 */
class ServerCrashTests {

	private static final int JOBS = 3_000;

	private static final int WORKERS = 3;

	private static final Duration DOWN = Duration.ofSeconds(5);

	private static final Duration LEASE = Duration.ofSeconds(5);

	private static final int BATCH = 10_000;

	private static final EnqueueOptions OPTIONS = EnqueueOptions.defaults()
		.withQueue(ChaosWorker.QUEUE)
		.withMaxAttempts(25);

	@Test
	void postgresqlCrashedMidDrainLosesNothingAndEveryWorkerComesBack() throws Exception {
		try (OwnServer server = OwnServer.postgresql()) {
			new CrashRun("PostgreSQL", server).run();
		}
	}

	@Test
	void mariadbKilledMidDrainLosesNothingAndEveryWorkerComesBack() throws Exception {
		try (OwnServer server = OwnServer.mariadb()) {
			new CrashRun("MariaDB", server).run();
		}
	}

	/** One worker process and what it reported, with when. */
	private record Worker(String id, Process process, List<Line> lines) {

		boolean saidSince(String start, long nanos) {
			return this.lines.stream().anyMatch((line) -> line.nanos >= nanos && line.text.startsWith(start));
		}

	}

	private record Line(long nanos, String text) {
	}

	private static final class CrashRun {

		private final String name;

		private final OwnServer server;

		private final List<Worker> workers = new ArrayList<>();

		CrashRun(String name, OwnServer server) {
			this.name = name;
			this.server = server;
		}

		void run() throws Exception {
			long begin = System.nanoTime();
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(this.server.url());
			config.setPoolName("crash-test");
			config.setMaximumPoolSize(3);
			config.setConnectionTimeout(1000);
			config.setInitializationFailTimeout(-1);
			config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
			try (HikariDataSource dataSource = new HikariDataSource(config)) {
				JdbcTemplate jdbc = new JdbcTemplate(dataSource);
				SqlQueueMigrations.migrate(dataSource, ChaosWorker.TABLE_PREFIX);
				jdbc.execute("CREATE TABLE " + ChaosWorker.EXECUTION_TABLE
						+ " (job_id BIGINT NOT NULL, attempt INT NOT NULL, worker VARCHAR(64) NOT NULL)");
				JdbcJobQueue queue = JdbcJobQueue.builder(dataSource)
					.tablePrefix(ChaosWorker.TABLE_PREFIX)
					.notifications(false)
					.build();
				List<JobRequest> requests = new ArrayList<>();
				for (int n = 1; n <= JOBS; n++) {
					requests.add(JobRequest.of(ChaosWorker.RECORD_TYPE, new ChaosWorker.Work(n), OPTIONS));
				}
				queue.enqueueAll(requests);
				try {
					for (int n = 1; n <= WORKERS; n++) {
						startWorker("w" + n);
					}
					awaitUntil(Duration.ofSeconds(60), "every worker started",
							() -> this.workers.stream().allMatch((worker) -> worker.saidSince("STARTED", 0)));
					awaitUntil(Duration.ofSeconds(60), "a quarter of the jobs run",
							() -> succeeded(queue) >= JOBS / 4);
					Map<String, Long> runsBefore = runsPerWorker(jdbc);

					long crashed = System.nanoTime();
					this.server.crash();
					awaitUntil(DOWN, "every worker reporting itself down while the server is",
							() -> this.workers.stream().allMatch((worker) -> worker.saidSince("HEALTH DOWN", crashed)));
					long downFor = DOWN.toNanos() - (System.nanoTime() - crashed);
					if (downFor > 0) {
						// the outage itself: the server stays down this long
						TimeUnit.NANOSECONDS.sleep(downFor);
					}
					this.server.start();
					long returned = System.nanoTime();
					long atReturn = succeededWhenAnswered(queue);
					awaitUntil(Duration.ofSeconds(60), "a job finished after the server returned",
							() -> succeeded(queue) > atReturn);
					long firstFinished = System.nanoTime() - returned;
					awaitUntil(Duration.ofSeconds(120), "every job succeeded", () -> succeeded(queue) == JOBS);
					long drained = System.nanoTime() - returned;
					awaitUntil(Duration.ofSeconds(30), "every worker reporting itself up again",
							() -> this.workers.stream().allMatch((worker) -> worker.saidSince("HEALTH UP", returned)));
					Map<String, Long> runsAfter = runsPerWorker(jdbc);

					assertThat(this.workers).as("%s: every worker process still running, none restarted", this.name)
						.allSatisfy((worker) -> assertThat(worker.process.isAlive()).isTrue());
					// each worker is back: its process was not restarted and its own database calls succeed again
					// (HEALTH UP above). How many of the remaining jobs each ran is up to the race for them: a
					// worker still in its failure backoff when the others drain the rest may run none, so the counts
					// are printed, not asserted.
					for (Worker worker : this.workers) {
						System.out.printf("%s: %s ran %d jobs before the crash and %d after%n", this.name, worker.id,
								runsBefore.getOrDefault(worker.id, 0L),
								runsAfter.getOrDefault(worker.id, 0L) - runsBefore.getOrDefault(worker.id, 0L));
					}
					verify(jdbc, queue);
					System.out.printf("%s crash: down %d ms (crash to restart), first job finished %d ms after the"
							+ " server returned, the rest of the %d jobs drained %d ms after%n", this.name,
							TimeUnit.NANOSECONDS.toMillis(returned - crashed), TimeUnit.NANOSECONDS.toMillis(firstFinished),
							JOBS, TimeUnit.NANOSECONDS.toMillis(drained));
				}
				finally {
					stopWorkers();
				}
				crashDuringEnqueueAll(queue);
			}
			System.out.printf("%s crash tests took %.1f s%n", this.name, (System.nanoTime() - begin) / 1e9);
		}

		/** The server crashes while an {@code enqueueAll} of 10,000 jobs is being written: all or none exist. */
		private void crashDuringEnqueueAll(JdbcJobQueue queue) throws Exception {
			List<JobRequest> requests = new ArrayList<>();
			EnqueueOptions atomic = EnqueueOptions.defaults().withQueue("atomic");
			for (int n = 0; n < BATCH; n++) {
				requests.add(JobRequest.of("atomic-job", new ChaosWorker.Work(n), atomic));
			}
			AtomicReference<Object> outcome = new AtomicReference<>();
			Thread enqueuer = new Thread(() -> {
				try {
					outcome.set(queue.enqueueAll(requests));
				}
				catch (RuntimeException ex) {
					outcome.set(ex);
				}
			}, "enqueue-all");
			boolean seenWriting;
			try (Connection admin = DriverManager.getConnection(this.server.url())) {
				enqueuer.start();
				seenWriting = awaitInsert(admin);
			}
			this.server.crash();
			enqueuer.join(TimeUnit.SECONDS.toMillis(60));
			assertThat(enqueuer.isAlive()).as("%s: enqueueAll returned or failed after the crash", this.name).isFalse();
			this.server.start();
			long stored;
			try (Connection check = DriverManager.getConnection(this.server.url());
					Statement statement = check.createStatement();
					ResultSet count = statement.executeQuery(
							"SELECT count(*) FROM " + ChaosWorker.TABLE_PREFIX + "job WHERE queue = 'atomic'")) {
				count.next();
				stored = count.getLong(1);
			}
			String result = (outcome.get() instanceof RuntimeException ex) ? "failed: " + ex.getClass().getSimpleName()
					: "returned " + ((List<?>) outcome.get()).size() + " ids";
			System.out.printf("%s crash during enqueueAll of %d (%s): the call %s, %d jobs exist after the restart%n",
					this.name, BATCH, seenWriting ? "while its insert was running" : "its insert not seen running", result,
					stored);
			assertThat(stored).as("%s: all or none of the enqueueAll", this.name).isIn(0L, (long) BATCH);
			if (outcome.get() instanceof List) {
				assertThat(stored).as("%s: an enqueueAll that returned is stored", this.name).isEqualTo(BATCH);
			}
		}

		/** Waits up to 10 s to see the batch's insert running, and on MariaDB lets a few of its statements pass. */
		private boolean awaitInsert(Connection admin) throws Exception {
			String activity = this.name.equals("PostgreSQL")
					? "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'INSERT INTO "
							+ ChaosWorker.TABLE_PREFIX + "job%'"
					: "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO "
							+ ChaosWorker.TABLE_PREFIX + "job%'";
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			try (Statement statement = admin.createStatement()) {
				while (System.nanoTime() < deadline) {
					try (ResultSet rs = statement.executeQuery(activity)) {
						rs.next();
						if (rs.getLong(1) > 0) {
							if (!this.name.equals("PostgreSQL")) {
								// several of its 500-row statements written in the transaction, not yet committed
								Thread.sleep(30);
							}
							return true;
						}
					}
				}
			}
			return false;
		}

		private void verify(JdbcTemplate jdbc, JdbcJobQueue queue) {
			assertThat(queue.count(ChaosWorker.QUEUE, JobState.SUCCEEDED)).as("%s: lost jobs", this.name).isEqualTo(JOBS);
			assertThat(queue.count(ChaosWorker.QUEUE, JobState.RUNNING)).as("%s: left RUNNING", this.name).isZero();
			Map<Long, Integer> finalAttempt = new HashMap<>();
			jdbc.query("SELECT id, attempt FROM " + ChaosWorker.TABLE_PREFIX + "job WHERE queue = ?",
					(RowCallbackHandler) (rs) -> finalAttempt.put(rs.getLong(1), rs.getInt(2)), ChaosWorker.QUEUE);
			Map<Long, Map<Integer, String>> runs = new HashMap<>();
			List<String> twice = new ArrayList<>();
			jdbc.query("SELECT job_id, attempt, worker FROM " + ChaosWorker.EXECUTION_TABLE, (RowCallbackHandler) (rs) -> {
				if (runs.computeIfAbsent(rs.getLong(1), (id) -> new HashMap<>()).put(rs.getInt(2), rs.getString(3)) != null) {
					twice.add(rs.getLong(1) + "/" + rs.getInt(2));
				}
			});
			Set<String> leaseLost = new HashSet<>();
			Set<String> failed = new HashSet<>();
			for (Worker worker : this.workers) {
				for (Line line : worker.lines) {
					String[] words = line.text.split(" ");
					if (words[0].equals("STALE") || words[0].equals("LEASE-LOST")) {
						leaseLost.add(words[1] + "/" + words[2]);
					}
					else if (words[0].equals("HANDLER-FAILED")) {
						failed.add(words[1] + "/" + words[2]);
					}
				}
			}
			int duplicates = 0;
			int byLease = 0;
			int byFailure = 0;
			List<String> unexplained = new ArrayList<>();
			for (Map.Entry<Long, Integer> job : finalAttempt.entrySet()) {
				for (Map.Entry<Integer, String> run : runs.getOrDefault(job.getKey(), Map.of()).entrySet()) {
					if (run.getKey().equals(job.getValue())) {
						continue;
					}
					duplicates++;
					String key = job.getKey() + "/" + run.getKey();
					if (leaseLost.contains(key)) {
						byLease++;
					}
					else if (failed.contains(key)) {
						byFailure++;
					}
					else {
						unexplained.add("job " + job.getKey() + " attempt " + run.getKey() + " on " + run.getValue());
					}
				}
			}
			System.out.printf("%s crash: %d jobs, duplicate executions %d (%d after a lost lease, %d of runs the crash"
					+ " failed after their write committed), unexplained %d%n", this.name, JOBS, duplicates, byLease,
					byFailure, unexplained.size());
			assertThat(twice).as("%s: one claim (job, attempt) executed twice", this.name).isEmpty();
			assertThat(unexplained).as("%s: executions beyond one per job with no lost lease or failed run", this.name)
				.isEmpty();
		}

		private static long succeeded(JdbcJobQueue queue) {
			try {
				return queue.count(ChaosWorker.QUEUE, JobState.SUCCEEDED);
			}
			catch (RuntimeException ex) {
				return -1;
			}
		}

		private static long succeededWhenAnswered(JdbcJobQueue queue) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			long count;
			while ((count = succeeded(queue)) < 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			return count;
		}

		private static Map<String, Long> runsPerWorker(JdbcTemplate jdbc) {
			Map<String, Long> runs = new HashMap<>();
			jdbc.query("SELECT worker, count(*) FROM " + ChaosWorker.EXECUTION_TABLE + " GROUP BY worker",
					(RowCallbackHandler) (rs) -> runs.put(rs.getString(1), rs.getLong(2)));
			return runs;
		}

		private void awaitUntil(Duration timeout, String what, java.util.function.BooleanSupplier condition)
				throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (!condition.getAsBoolean()) {
				assertThat(System.nanoTime()).as("%s: %s within %s", this.name, what, timeout).isLessThan(deadline);
				Thread.sleep(5);
			}
		}

		private void startWorker(String id) throws IOException {
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
			ProcessBuilder builder = new ProcessBuilder(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
					"-cp", classpath, ChaosWorker.class.getName(), this.server.url(), id, String.valueOf(LEASE.toMillis()),
					"1000")
				.redirectErrorStream(true);
			builder.environment().put("CLASSPATH", "");
			Worker worker = new Worker(id, builder.start(), new CopyOnWriteArrayList<>());
			this.workers.add(worker);
			Thread reader = new Thread(() -> read(worker), "crash-read-" + id);
			reader.setDaemon(true);
			reader.start();
		}

		private void read(Worker worker) {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(worker.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.startsWith(ChaosWorker.REPORT)) {
						worker.lines.add(new Line(System.nanoTime(), line.substring(ChaosWorker.REPORT.length())));
					}
					if (line.startsWith(ChaosWorker.REPORT)
							|| (line.contains(" io.sqlqueue.") && !Character.isWhitespace(line.charAt(0)))) {
						System.out.println("[" + worker.id + "] " + ((line.length() > 300) ? line.substring(0, 300) + "…" : line));
					}
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		}

		private void stopWorkers() throws InterruptedException {
			for (Worker worker : this.workers) {
				worker.process.destroy();
			}
			for (Worker worker : this.workers) {
				if (!worker.process.waitFor(20, TimeUnit.SECONDS)) {
					worker.process.destroyForcibly();
				}
			}
		}

	}

}
