package io.sqlqueue.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos suite: three worker JVMs ({@link ChaosWorker}) share one database and drain tens of
 * thousands of jobs while workers are killed with SIGKILL and restarted, every worker connection is
 * dropped again and again for a few seconds, and one handler hangs past its lease without
 * heartbeating. Afterwards nothing is lost, nothing is stuck, every extra execution is explained by a
 * kill, a lost lease or a run that failed and was retried, the hung run's late success was fenced
 * off, and the workers reported themselves unhealthy during the outage and recovered on their own.
 *
 * <p>Sizes: {@code -Dsqlqueue.chaos.jobs} (PostgreSQL, default 20,000),
 * {@code -Dsqlqueue.chaos.mariadbJobs} (default a quarter of that) and {@code -Dsqlqueue.chaos.kills}
 * (default 7). See {@code sqlqueue-core/CHAOS.md}.
 */
class ChaosTests {

	private static final int WORKERS = 3;

	private static final Duration LEASE = Duration.ofSeconds(4);

	private static final Duration HANG = Duration.ofSeconds(12);

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	private static final EnqueueOptions OPTIONS = EnqueueOptions.defaults()
		.withQueue(ChaosWorker.QUEUE)
		.withMaxAttempts(25);

	/** Progress (fraction of jobs succeeded) at which a worker is killed: evenly from 5 % to 85 %. */
	private static final double[] KILL_AT = killMilestones(Integer.getInteger("sqlqueue.chaos.kills", 7));

	/**
	 * Progress at which the database goes away: early, so that plenty of work is left to show each
	 * worker claiming again once its fetch loop's backoff after the failures has run out.
	 */
	private static final double OUTAGE_AT = 0.2;

	/** How long after the outage the workers may take to recover before no more waiting is done for them. */
	private static final Duration RECOVERY = Duration.ofSeconds(30);

	@Test
	void postgresqlLosesNothingThroughKillsOutageAndHungHandler() throws Exception {
		String url = TestDatabases.jdbcUrl(TestDatabase.POSTGRESQL);
		int jobs = Integer.getInteger("sqlqueue.chaos.jobs", 20_000);
		new ChaosRun("PostgreSQL", TestDatabase.POSTGRESQL,
				url + (url.contains("?") ? "&" : "?") + "ApplicationName=sqlqueue-chaos-worker", jobs, new PostgresOutage())
			.run();
	}

	@Test
	void mariadbLosesNothingThroughKillsDroppedConnectionsAndHungHandler() throws Exception {
		String url = TestDatabases.jdbcUrl(TestDatabase.MARIADB);
		int jobs = Integer.getInteger("sqlqueue.chaos.mariadbJobs",
				Integer.getInteger("sqlqueue.chaos.jobs", 20_000) / 4);
		new ChaosRun("MariaDB", TestDatabase.MARIADB, url, jobs, new MariaDbOutage()).run();
	}

	private static double[] killMilestones(int kills) {
		double[] milestones = new double[kills];
		for (int i = 0; i < kills; i++) {
			milestones[i] = (kills == 1) ? 0.5 : 0.05 + i * 0.8 / (kills - 1);
		}
		return milestones;
	}

	/** Takes the database away from the workers for a while, from the test's own connection. */
	interface Outage {

		/** @return how many worker connections were dropped */
		int run(JdbcTemplate admin, Duration length) throws InterruptedException;

	}

	/**
	 * Terminates the workers' backends with {@code pg_terminate_backend}, again and again for a
	 * while, so that the reconnecting pools find no database either: the server, shared with
	 * others, keeps running.
	 */
	static final class PostgresOutage implements Outage {

		@Override
		public int run(JdbcTemplate admin, Duration length) throws InterruptedException {
			int dropped = 0;
			long end = System.nanoTime() + length.toNanos();
			while (System.nanoTime() < end) {
				dropped += admin.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
						+ " WHERE datname = current_database() AND pid <> pg_backend_pid()"
						+ " AND application_name = 'sqlqueue-chaos-worker'", Integer.class);
				Thread.sleep(20);
			}
			return dropped;
		}

	}

	/** Kills every other connection to this test's database ({@code KILL id}), again and again for a while. */
	static final class MariaDbOutage implements Outage {

		@Override
		public int run(JdbcTemplate admin, Duration length) throws InterruptedException {
			int dropped = 0;
			long end = System.nanoTime() + length.toNanos();
			while (System.nanoTime() < end) {
				List<Long> ids = admin.queryForList("SELECT id FROM information_schema.processlist"
						+ " WHERE db = DATABASE() AND id <> CONNECTION_ID()", Long.class);
				for (long id : ids) {
					try {
						admin.execute("KILL " + id);
						dropped++;
					}
					catch (RuntimeException ex) {
						// the connection closed by itself in between
					}
				}
				Thread.sleep(20);
			}
			return dropped;
		}

	}

	/** A worker process and what it printed. */
	static final class Instance {

		final String id;

		final Process process;

		final List<Line> lines = new CopyOnWriteArrayList<>();

		volatile long killedAt;

		Instance(String id, Process process) {
			this.id = id;
			this.process = process;
		}

		boolean printed(String prefix) {
			return this.lines.stream().anyMatch((line) -> line.text.startsWith(prefix));
		}

		/** Whether it printed exactly {@code text}, such as {@code STALE 1 1}. */
		boolean printedLine(String text) {
			return this.lines.stream().anyMatch((line) -> line.text.equals(text));
		}

		/** Whether it was running jobs before {@code nanos}. */
		boolean startedBefore(long nanos) {
			return this.lines.stream().anyMatch((line) -> line.text.startsWith("STARTED") && line.at < nanos);
		}

		/** Whether its last health report after {@code fromNanos} says healthy (no report: still healthy). */
		boolean healthyAfter(long fromNanos) {
			String last = "HEALTH UP";
			for (Line line : this.lines) {
				if (line.at >= fromNanos && line.text.startsWith("HEALTH")) {
					last = line.text;
				}
			}
			return last.startsWith("HEALTH UP");
		}

		boolean printedBetween(String prefix, long fromNanos, long toNanos) {
			return this.lines.stream()
				.anyMatch((line) -> line.text.startsWith(prefix) && line.at >= fromNanos && line.at <= toNanos);
		}

	}

	/** A report line of a worker, with when the test read it. */
	record Line(long at, String text) {
	}

	/** One chaos run against one database. */
	static final class ChaosRun {

		private final String name;

		private final TestDatabase db;

		private final String url;

		private final int jobs;

		private final Outage outage;

		private final long begin = System.nanoTime();

		private final Map<Integer, Instance> current = new TreeMap<>();

		private final List<Instance> all = new ArrayList<>();

		private final Map<Integer, Integer> generation = new HashMap<>();

		private int kills;

		/** Jobs enqueued beyond {@link #jobs} and the hanging one, for workers idle after the outage. */
		private int extra;

		private long lastKill;

		private final Set<String> recovered = new HashSet<>();

		private long outageStart;

		private long outageEnd;

		private int dropped;

		private final Map<String, Long> executionsAtOutageEnd = new HashMap<>();

		ChaosRun(String name, TestDatabase db, String url, int jobs, Outage outage) {
			this.name = name;
			this.db = db;
			this.url = url;
			this.jobs = jobs;
			this.outage = outage;
		}

		void run() throws Exception {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(this.url);
			config.setMaximumPoolSize(2);
			config.setPoolName("chaos-test");
			try (HikariDataSource dataSource = new HikariDataSource(config);
					HikariDataSource adminSource = single(this.url)) {
				JdbcTemplate jdbc = new JdbcTemplate(dataSource);
				JdbcTemplate admin = new JdbcTemplate(adminSource);
				resetSchema(jdbc, dataSource);
				JdbcJobQueue queue = JdbcJobQueue.builder(dataSource)
					.tablePrefix(ChaosWorker.TABLE_PREFIX)
					.notifications(false)
					.build();
				long hangId = enqueue(queue);
				try {
					for (int slot = 1; slot <= WORKERS; slot++) {
						startWorker(slot);
					}
					drive(queue, admin, hangId);
				}
				finally {
					stopAll();
				}
				verify(jdbc, queue, hangId);
			}
		}

		private static HikariDataSource single(String url) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(url);
			config.setMaximumPoolSize(1);
			config.setPoolName("chaos-admin");
			return new HikariDataSource(config);
		}

		private void resetSchema(JdbcTemplate jdbc, HikariDataSource dataSource) {
			// every table, so that a second run on the same database starts from nothing too
			TestDatabases.dropAllTables(this.db, dataSource);
			SqlQueueMigrations.migrate(dataSource, ChaosWorker.TABLE_PREFIX);
			jdbc.execute("CREATE TABLE " + ChaosWorker.EXECUTION_TABLE
					+ " (job_id BIGINT NOT NULL, attempt INT NOT NULL, worker VARCHAR(64) NOT NULL)");
		}

		/** The hanging job first, then the rest in batches. @return the hanging job's id */
		private long enqueue(JdbcJobQueue queue) {
			long hangId = queue.enqueue(ChaosWorker.HANG_TYPE, new ChaosWorker.Work(0), OPTIONS.withPriority(10));
			List<JobRequest> batch = new ArrayList<>();
			for (int i = 1; i <= this.jobs; i++) {
				batch.add(JobRequest.of(ChaosWorker.RECORD_TYPE, new ChaosWorker.Work(i), OPTIONS));
				if (batch.size() == 1000 || i == this.jobs) {
					queue.enqueueAll(batch);
					batch.clear();
				}
			}
			log("enqueued %d jobs and the hanging job %d", this.jobs, hangId);
			return hangId;
		}

		/** Kills workers and takes the database away at milestones of progress, until every job succeeded. */
		private void drive(JdbcJobQueue queue, JdbcTemplate admin, long hangId) throws Exception {
			int total = this.jobs + 1;
			int nextKill = 0;
			long deadline = System.nanoTime() + Duration.ofSeconds(120 + this.jobs / 100).toNanos();
			while (true) {
				if (System.nanoTime() >= deadline) {
					describeStuck(queue, admin, hangId);
				}
				assertThat(System.nanoTime()).as("%s: jobs still unfinished at the deadline", this.name)
					.isLessThan(deadline);
				long succeeded = queue.count(ChaosWorker.QUEUE, JobState.SUCCEEDED);
				double progress = (double) succeeded / (total + this.extra);
				if (succeeded == total + this.extra && staleReported(hangId) && allStarted()) {
					if (this.outageStart == 0 || System.nanoTime() - this.outageEnd > RECOVERY.toNanos()) {
						return;
					}
					List<String> idle = idleSinceOutage(admin);
					if (idle.isEmpty() && allHealthy()) {
						return;
					}
					if (!idle.isEmpty()) {
						feed(queue, idle);
					}
				}
				if (this.outageStart == 0 && progress >= OUTAGE_AT) {
					takeDatabaseAway(admin, progress);
				}
				else if (nextKill < KILL_AT.length && progress >= KILL_AT[nextKill]
						&& System.nanoTime() - this.lastKill > TimeUnit.SECONDS.toNanos(1)) {
					if (killOne(hangId, admin)) {
						nextKill++;
					}
				}
				for (Map.Entry<Integer, Instance> entry : this.current.entrySet()) {
					if (!entry.getValue().process.isAlive() && entry.getValue().killedAt == 0) {
						throw new IllegalStateException("worker " + entry.getValue().id + " exited by itself with "
								+ entry.getValue().process.exitValue());
					}
				}
				Thread.sleep(200);
			}
		}

		/**
		 * Workers alive through the outage that have not run a job since it ended. A worker waits out
		 * its fetch loop's backoff after the failures (up to 5 s) while its peers, and replacements
		 * started after the outage, may drain what is left; such a worker is given a few more jobs to
		 * show that it claims again, rather than the run ending with nothing left for it.
		 */
		private List<String> idleSinceOutage(JdbcTemplate admin) {
			Map<String, Long> executions = executionsByWorker(admin);
			return this.current.values()
				.stream()
				.filter((instance) -> instance.killedAt == 0 && instance.startedBefore(this.outageStart))
				.map((instance) -> instance.id)
				.filter((id) -> executions.getOrDefault(id, 0L) <= this.executionsAtOutageEnd.getOrDefault(id, 0L))
				.toList();
		}

		/** Enqueues a few more jobs, counted in the total the run waits for and checks. */
		private void feed(JdbcJobQueue queue, List<String> idle) {
			List<JobRequest> batch = new ArrayList<>();
			for (int i = 0; i < 12; i++) {
				batch.add(JobRequest.of(ChaosWorker.RECORD_TYPE,
						new ChaosWorker.Work(this.jobs + this.extra + i + 1), OPTIONS));
			}
			queue.enqueueAll(batch);
			this.extra += batch.size();
			if (this.extra % (10 * batch.size()) == batch.size()) {
				log("all jobs done but %s ran none since the database came back: %d more jobs (%d extra in all)", idle,
						batch.size(), this.extra);
			}
		}

		private boolean staleReported(long hangId) {
			return this.all.stream().anyMatch((instance) -> instance.printedLine("STALE " + hangId + " 1"));
		}

		/**
		 * Whether {@code instance} may be killed with respect to the outage: a worker that lived
		 * through it is spared until it is healthy and running jobs again, so that its recovery is
		 * observed.
		 */
		private boolean recoveredFromOutage(Instance instance, JdbcTemplate admin) {
			if (this.outageStart == 0 || !instance.startedBefore(this.outageStart)
					|| this.recovered.contains(instance.id)) {
				return true;
			}
			boolean recovered = instance.healthyAfter(this.outageStart) && executionsByWorker(admin)
				.getOrDefault(instance.id, 0L) > this.executionsAtOutageEnd.getOrDefault(instance.id, 0L);
			if (recovered) {
				this.recovered.add(instance.id);
			}
			return recovered;
		}

		/** Whether the replacements of the last kills are up too, so that a worker that cannot start is seen. */
		private boolean allStarted() {
			return this.current.values().stream().allMatch((instance) -> instance.printed("STARTED"));
		}

		private boolean allHealthy() {
			return this.current.values().stream().allMatch((instance) -> instance.healthyAfter(this.outageStart));
		}

		private static Map<String, Long> executionsByWorker(JdbcTemplate jdbc) {
			Map<String, Long> executions = new HashMap<>();
			jdbc.query("SELECT worker, count(*) FROM " + ChaosWorker.EXECUTION_TABLE + " GROUP BY worker",
					(RowCallbackHandler) (rs) -> executions.put(rs.getString(1), rs.getLong(2)));
			return executions;
		}

		private void takeDatabaseAway(JdbcTemplate admin, double progress) throws InterruptedException {
			this.outageStart = System.nanoTime();
			log("database away for %d ms at %.0f%% done", OUTAGE.toMillis(), progress * 100);
			this.dropped = this.outage.run(admin, OUTAGE);
			this.outageEnd = System.nanoTime();
			this.executionsAtOutageEnd.putAll(executionsByWorker(admin));
			log("database back: %d worker connections were dropped", this.dropped);
		}

		/**
		 * SIGKILLs the next started worker in turn, sparing the one running the hung handler until
		 * its late outcome was reported and those not yet recovered from the outage, and starts its
		 * replacement.
		 */
		private boolean killOne(long hangId, JdbcTemplate admin) throws IOException {
			for (int tried = 0; tried < WORKERS; tried++) {
				int slot = (this.kills + tried) % WORKERS + 1;
				Instance instance = this.current.get(slot);
				boolean holdsHang = instance.printedLine("HANG " + hangId + " 1")
						&& !instance.printedLine("STALE " + hangId + " 1");
				if (!instance.printed("STARTED") || holdsHang || !recoveredFromOutage(instance, admin)) {
					continue;
				}
				instance.process.destroyForcibly();
				instance.killedAt = System.nanoTime();
				this.lastKill = instance.killedAt;
				this.kills++;
				log("kill -9 %s", instance.id);
				startWorker(slot);
				return true;
			}
			return false;
		}

		private void startWorker(int slot) throws IOException {
			int number = this.generation.merge(slot, 1, Integer::sum);
			String id = "w" + slot + "." + number;
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
			ProcessBuilder builder = new ProcessBuilder(java, "-Xmx192m", "-XX:+UseSerialGC",
					"-XX:TieredStopAtLevel=1", "-cp", classpath, ChaosWorker.class.getName(), this.url, id,
					String.valueOf(LEASE.toMillis()), String.valueOf(HANG.toMillis()))
				.redirectErrorStream(true);
			builder.environment().put("CLASSPATH", "");
			Instance instance = new Instance(id, builder.start());
			this.current.put(slot, instance);
			this.all.add(instance);
			Thread reader = new Thread(() -> read(instance), "chaos-read-" + id);
			reader.setDaemon(true);
			reader.start();
		}

		private void read(Instance instance) {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(instance.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.startsWith(ChaosWorker.REPORT)) {
						instance.lines.add(new Line(System.nanoTime(), line.substring(ChaosWorker.REPORT.length())));
					}
					// the reports, the queue's own warnings (logback abbreviates the longer logger names to i.s.…)
					// and an exception that ended a thread; not the stack traces under them
					if (line.startsWith(ChaosWorker.REPORT) || line.startsWith("Exception in thread")
							|| ((line.contains(" io.sqlqueue.") || line.contains(" i.s."))
									&& !Character.isWhitespace(line.charAt(0)))) {
						System.out.println("[" + instance.id + "] "
								+ ((line.length() > 300) ? line.substring(0, 300) + "…" : line));
					}
				}
			}
			catch (IOException ex) {
				// the process was killed
			}
		}

		private void stopAll() throws InterruptedException {
			for (Instance instance : this.current.values()) {
				instance.process.destroy();
			}
			for (Instance instance : this.current.values()) {
				if (!instance.process.waitFor(20, TimeUnit.SECONDS)) {
					instance.process.destroyForcibly();
				}
			}
		}

		private void verify(JdbcTemplate jdbc, JdbcJobQueue queue, long hangId) {
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.begin);
			int total = this.jobs + 1 + this.extra;
			Map<JobState, Long> byState = new LinkedHashMap<>();
			for (JobState state : JobState.values()) {
				byState.put(state, queue.count(ChaosWorker.QUEUE, state));
			}
			assertThat(byState.get(JobState.SUCCEEDED)).as("%s: jobs by state %s", this.name, byState).isEqualTo(total);
			long lost = total - byState.get(JobState.SUCCEEDED);

			Map<Long, Integer> finalAttempt = new HashMap<>();
			jdbc.query("SELECT id, attempt FROM " + ChaosWorker.TABLE_PREFIX + "job",
					(RowCallbackHandler) (rs) -> finalAttempt.put(rs.getLong(1), rs.getInt(2)));
			Map<Long, Map<Integer, String>> runs = new HashMap<>();
			List<String> twice = new ArrayList<>();
			jdbc.query("SELECT job_id, attempt, worker FROM " + ChaosWorker.EXECUTION_TABLE, (RowCallbackHandler) (rs) -> {
				String before = runs.computeIfAbsent(rs.getLong(1), (id) -> new HashMap<>())
					.put(rs.getInt(2), rs.getString(3));
				if (before != null) {
					twice.add(rs.getLong(1) + "/" + rs.getInt(2));
				}
			});
			assertThat(twice).as("%s: one claim (job, attempt) executed twice", this.name).isEmpty();

			Set<String> killed = new HashSet<>();
			Set<String> leaseLost = new HashSet<>();
			Set<String> failed = new HashSet<>();
			for (Instance instance : this.all) {
				if (instance.killedAt != 0) {
					killed.add(instance.id);
				}
				for (Line line : instance.lines) {
					String[] words = line.text.split(" ");
					if (words[0].equals("STALE") || words[0].equals("LEASE-LOST")) {
						leaseLost.add(words[1] + "/" + words[2]);
					}
					else if (words[0].equals("HANDLER-FAILED")) {
						failed.add(words[1] + "/" + words[2]);
					}
				}
			}
			long failedRuns = this.all.stream()
				.flatMap((instance) -> instance.lines.stream())
				.filter((line) -> line.text.startsWith("NOT-SUCCEEDED"))
				.count();
			int duplicates = 0;
			int byKill = 0;
			int byLease = 0;
			int byFailure = 0;
			List<String> unexplained = new ArrayList<>();
			List<String> notLastRun = new ArrayList<>();
			for (Map.Entry<Long, Integer> job : finalAttempt.entrySet()) {
				Map<Integer, String> executions = runs.getOrDefault(job.getKey(), Map.of());
				// the recorded success is the outcome of the last run, never of a run fenced off before it
				if (!executions.containsKey(job.getValue())
						|| executions.keySet().stream().anyMatch((attempt) -> attempt > job.getValue())) {
					notLastRun.add(job.getKey() + " attempt " + job.getValue() + " runs " + executions);
				}
				for (Map.Entry<Integer, String> run : executions.entrySet()) {
					if (run.getKey().equals(job.getValue())) {
						continue;
					}
					duplicates++;
					if (leaseLost.contains(job.getKey() + "/" + run.getKey())) {
						byLease++;
					}
					else if (killed.contains(run.getValue())) {
						byKill++;
					}
					else if (failed.contains(job.getKey() + "/" + run.getKey())) {
						// its write committed but the dropped connection failed the handler: the job ran again
						byFailure++;
					}
					else {
						unexplained.add("job " + job.getKey() + " attempt " + run.getKey() + " on " + run.getValue());
					}
				}
			}

			log("jobs %d, kills %d, connection drops %d (one outage of %d ms), duplicate executions %d"
					+ " (%d on killed workers, %d after an expired lease, %d of runs failed by a dropped connection"
					+ " after their write committed), runs failed by the outage and retried %d,"
					+ " lost %d, elapsed %.1f s, %.0f jobs/s",
					total, this.kills, this.dropped, OUTAGE.toMillis(), duplicates, byKill, byLease, byFailure, failedRuns, lost,
					elapsedMillis / 1000.0, total * 1000.0 / elapsedMillis);

			assertThat(notLastRun).as("%s: jobs whose recorded outcome is not their last run's", this.name).isEmpty();
			assertThat(unexplained).as("%s: executions beyond one per job with no kill, expired lease or failed run", this.name)
				.isEmpty();
			assertThat(this.kills).as("%s: workers killed", this.name)
				.isGreaterThanOrEqualTo(Math.min(3, KILL_AT.length));

			// fencing: the hung run's late success was ignored, the row shows the run that replaced it
			assertThat(finalAttempt.get(hangId)).as("%s: attempt recorded for the hung job", this.name)
				.isGreaterThanOrEqualTo(2);
			Instance hanger = this.all.stream()
				.filter((instance) -> instance.printedLine("HANG " + hangId + " 1"))
				.findFirst()
				.orElseThrow(() -> new AssertionError(this.name + ": no worker ran the hanging job"));
			assertThat(hanger.printed("HANG-RETURNED " + hangId + " 1 interrupted=true"))
				.as("%s: %s interrupted the handler that ran past its lease", this.name, hanger.id)
				.isTrue();
			assertThat(hanger.printedLine("STALE " + hangId + " 1"))
				.as("%s: %s reported the hung run's outcome as stale", this.name, hanger.id)
				.isTrue();

			List<String> neverStarted = this.all.stream()
				.filter((instance) -> instance.killedAt == 0 && !instance.printed("STARTED"))
				.map((instance) -> instance.id)
				.toList();
			assertThat(neverStarted).as("%s: workers that never got going", this.name).isEmpty();

			// health: down while the database was away, back up and working afterwards, on their own
			assertThat(this.outageStart).as("%s: the outage happened", this.name).isPositive();
			assertThat(this.dropped).as("%s: worker connections dropped", this.name).isPositive();
			long grace = TimeUnit.SECONDS.toNanos(2);
			List<Instance> throughOutage = this.all.stream()
				.filter((instance) -> instance.startedBefore(this.outageStart))
				.filter((instance) -> instance.killedAt == 0 || instance.killedAt > this.outageEnd + grace)
				.toList();
			assertThat(throughOutage).as("%s: workers alive through the outage", this.name).isNotEmpty();
			Map<String, Long> executionsByWorker = executionsByWorker(jdbc);
			for (Instance instance : throughOutage) {
				assertThat(instance.printedBetween("HEALTH DOWN", this.outageStart, this.outageEnd + grace))
					.as("%s: %s reported unhealthy while the database was away", this.name, instance.id)
					.isTrue();
				assertThat(instance.healthyAfter(this.outageStart))
					.as("%s: %s reported healthy again after the database came back", this.name, instance.id)
					.isTrue();
				assertThat(executionsByWorker.getOrDefault(instance.id, 0L))
					.as("%s: %s ran jobs again after the database came back", this.name, instance.id)
					.isGreaterThan(this.executionsAtOutageEnd.getOrDefault(instance.id, 0L));
			}
		}

		/**
		 * What the run waits for at its deadline: the jobs not succeeded by state, those RUNNING with their
		 * worker and lease, whether the hanging job's stale outcome was reported, and the threads of every
		 * live worker, so that a run that times out says where it stuck.
		 */
		private void describeStuck(JdbcJobQueue queue, JdbcTemplate admin, long hangId) {
			log("deadline: %d of %d jobs succeeded; stale outcome of job %d reported: %s; all started: %s",
					queue.count(ChaosWorker.QUEUE, JobState.SUCCEEDED), this.jobs + 1 + this.extra, hangId,
					staleReported(hangId), allStarted());
			admin.query("SELECT state, locked_by, attempt, count(*), min(id), max(id), min(locked_until), max(locked_until)"
					+ " FROM " + ChaosWorker.TABLE_PREFIX + "job WHERE state <> 2 GROUP BY state, locked_by, attempt",
					(RowCallbackHandler) (rs) -> log("  state %d, locked by %s, attempt %d: %d jobs (ids %d-%d, leases"
							+ " until %s-%s)", rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getLong(5),
							rs.getLong(6), rs.getString(7), rs.getString(8)));
			String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
			for (Instance instance : this.current.values()) {
				if (!instance.process.isAlive()) {
					continue;
				}
				try {
					Process dump = new ProcessBuilder(jcmd, String.valueOf(instance.process.pid()), "Thread.print")
						.redirectErrorStream(true)
						.start();
					String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
					dump.waitFor(30, TimeUnit.SECONDS);
					log("threads of %s:%n%s", instance.id, threads);
				}
				catch (IOException | InterruptedException ex) {
					log("no thread dump of %s: %s", instance.id, ex);
				}
			}
		}

		private void log(String format, Object... args) {
			System.out.printf("[chaos %s %6.1fs] %s%n", this.name, (System.nanoTime() - this.begin) / 1e9,
					String.format(format, args));
		}

	}

}
