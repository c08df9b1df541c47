package io.sqlqueue.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

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
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A rolling deploy: a newer node adds a job type to a queue and a property to a payload class, while an older
 * node still works the queue. Every job runs on a node that knows its type, none dies for want of a handler,
 * and the older node runs the newer payloads of the type it knows. On PostgreSQL and MariaDB the older node is
 * a process of its own.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class RollingDeployTests {

	static final String GREET = "greet";

	static final String FAREWELL = "farewell";

	/** The payload as the newer version declares it: it added a title. */
	record Greeting(String name, String title) {
	}

	/** A job type only the newer version has. */
	record Farewell(String name) {
	}

	@Parameter
	TestDatabase db;

	private Process oldProcess;

	private final List<JobWorker> workers = new ArrayList<>();

	@AfterEach
	void tearDown() {
		this.workers.forEach((worker) -> worker.stop(Duration.ofSeconds(5)));
		if (this.oldProcess != null) {
			this.oldProcess.destroyForcibly();
		}
	}

	static void record(JdbcTemplate jdbc, long jobId, String type, String node, String name) {
		jdbc.update("INSERT INTO rolling_execution (job_id, type, node, name) VALUES (?, ?, ?, ?)", jobId, type, node,
				name);
	}

	@Test
	void everyJobRunsOnANodeThatKnowsItsTypeAndNoneDiesForWantOfAHandler() throws Exception {
		DataSource dataSource = TestDatabases.fresh(this.db);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE rolling_execution (job_id BIGINT, type VARCHAR(64), node VARCHAR(64), name VARCHAR(64))");
		startOldNode(dataSource);
		JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).build();
		this.workers.add(JobWorker.builder(jobs)
			.workerId("new")
			.maintenance(false)
			.queue("greetings", QueueSettings.defaults().withConcurrency(4).withPollInterval(Duration.ofMillis(50)))
			.handler(GREET, Greeting.class, (greeting, ctx) -> {
				Thread.sleep(5);
				record(jdbc, ctx.id(), ctx.type(), "new", greeting.name());
			})
			.handler(FAREWELL, Farewell.class, (farewell, ctx) -> {
				Thread.sleep(5);
				record(jdbc, ctx.id(), ctx.type(), "new", farewell.name());
			})
			.build());
		this.workers.get(this.workers.size() - 1).start();

		List<JobRequest> requests = new ArrayList<>();
		EnqueueOptions greetings = EnqueueOptions.defaults().withQueue("greetings");
		for (int n = 0; n < 150; n++) {
			requests.add(JobRequest.of(GREET, new Greeting("guest " + n, "Dr"), greetings));
			requests.add(JobRequest.of(FAREWELL, new Farewell("guest " + n), greetings));
		}
		jobs.enqueueAll(requests);

		await().atMost(Duration.ofSeconds(60)).until(() -> jobs.count("greetings", JobState.SUCCEEDED) == 300);
		List<Map<String, Object>> perNode = jdbc.queryForList(
				"SELECT type, node, COUNT(*) AS runs FROM rolling_execution GROUP BY type, node ORDER BY type, node");
		System.out.printf("%s: runs per type and node %s%n", this.db, perNode);
		assertThat(jobs.count("greetings", JobState.DEAD)).as("jobs dead for want of a handler").isZero();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rolling_execution WHERE type = ? AND node = 'old'",
				Long.class, FAREWELL)).as("farewells run on the older node, which has no handler for them").isZero();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rolling_execution WHERE type = ? AND node = 'old'",
				Long.class, GREET)).as("newer greetings run on the older node, their new property ignored").isPositive();
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rolling_execution", Long.class))
			.as("runs, each job once").isEqualTo(300);
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM rolling_execution WHERE name NOT LIKE 'guest %'",
				Long.class)).as("payloads bound with their values").isZero();
	}

	/** The older node, started before the newer one: a process of its own where the database allows it. */
	private void startOldNode(DataSource dataSource) throws Exception {
		if (this.db == TestDatabase.H2 || this.db == TestDatabase.SQLITE) {
			JobWorker old = OldNodeProcess.worker(dataSource);
			this.workers.add(old);
			old.start();
			return;
		}
		Path output = Files.createTempFile("sqlqueue-old-node", ".log");
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				OldNodeProcess.class.getName(), TestDatabases.jdbcUrl(this.db));
		builder.redirectErrorStream(true);
		builder.redirectOutput(output.toFile());
		this.oldProcess = builder.start();
		await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains(OldNodeProcess.STARTED));
	}

}
