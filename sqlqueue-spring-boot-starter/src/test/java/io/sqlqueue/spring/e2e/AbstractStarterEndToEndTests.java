package io.sqlqueue.spring.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.spring.e2e.EndToEndApplication.Flaky;
import io.sqlqueue.spring.e2e.EndToEndApplication.Greeting;
import io.sqlqueue.spring.actuate.SqlQueueGauges;
import io.sqlqueue.spring.e2e.EndToEndApplication.Handlers;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Boot application with the starter on a real database, seen from the outside: jobs run, fail
 * into the dead letter, are replayed over HTTP, show in meters and health, recurring jobs fire, and
 * shutdown waits for a running job. Subclassed once per database.
 */
@SpringBootTest(classes = EndToEndApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "sqlqueue.defaults.poll-interval=100ms", "sqlqueue.metrics.sample-interval=200ms",
				"management.endpoints.web.exposure.include=health,metrics,prometheus,sqlqueue",
				"management.endpoint.health.show-details=always" })
@DirtiesContext
abstract class AbstractStarterEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	JdbcJobQueue jobs;

	@Autowired
	DataSource dataSource;

	@Autowired
	Handlers handlers;

	@Autowired
	MeterRegistry meters;

	/** The database this subclass runs on. */
	abstract TestDatabase database();

	@AfterEach
	void breakFlakyAgain() {
		this.handlers.flakyFixed.set(false);
	}

	@Test
	void aHandlerRunsAndItsLogsAndResultAreStored() {
		long id = this.jobs.enqueue(new Greeting("ada"));

		Job job = awaitState(id, JobState.SUCCEEDED);
		assertThat(this.handlers.greeted).contains("ada");
		assertThat(job.type()).isEqualTo("greet");
		assertThat(job.result()).isEqualTo("\"hello ada\"");
		assertThat(job.logs()).containsExactly("greeting ada");
	}

	@Test
	void aFailingHandlerRetriesThenLandsDeadAndIsReplayedThroughTheEndpoint() throws Exception {
		long id = this.jobs.enqueue(new Flaky("k1"));

		Job dead = awaitState(id, JobState.DEAD);
		assertThat(dead.attempt()).isEqualTo(2);
		assertThat(dead.lastError()).contains("flaky failure for k1");

		JsonNode listing = get("/actuator/sqlqueue?queue=default&limit=500");
		assertThat(listing.get("queues").get("default").get("DEAD").asLong()).isPositive();
		assertThat(listing.get("dead").findValuesAsString("type")).contains("flaky");
		List<String> listedErrors = new ArrayList<>();
		for (JsonNode listed : listing.get("dead")) {
			if (listed.get("id").asLong() == id) {
				listedErrors.add(listed.get("lastError").asString());
			}
		}
		// the list shows what failed in one line; the job's own page has the stack trace
		assertThat(listedErrors).singleElement().asString().contains("flaky failure for k1").doesNotContain("\n");
		JsonNode shown = get("/actuator/sqlqueue/" + id);
		assertThat(shown.get("state").asString()).isEqualTo("DEAD");
		assertThat(shown.get("lastError").asString()).contains("flaky failure for k1");

		this.handlers.flakyFixed.set(true);
		JsonNode replay = post("/actuator/sqlqueue", "{\"id\": " + id + "}");
		assertThat(replay.get("replayed").asInt()).isEqualTo(1);
		// a replay grants fresh attempts but keeps counting, so the attempt stays a valid fencing token
		assertThat(awaitState(id, JobState.SUCCEEDED).attempt()).isEqualTo(3);
	}

	@Test
	void metersCountWhatHappened() throws Exception {
		double greetedBefore = count("sqlqueue.jobs.completed", "greet", "succeeded");
		double enqueuedBefore = enqueuedCount("greet");
		double retriedBefore = count("sqlqueue.jobs.completed", "flaky", "retried");
		double deadBefore = count("sqlqueue.jobs.completed", "flaky", "dead");

		this.jobs.enqueue(new Greeting("m1"));
		this.jobs.enqueue(new Greeting("m2"));
		long flaky = this.jobs.enqueue(new Flaky("m3"));
		awaitState(flaky, JobState.DEAD);

		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(count("sqlqueue.jobs.completed", "greet", "succeeded") - greetedBefore).isEqualTo(2);
			assertThat(count("sqlqueue.jobs.completed", "flaky", "retried") - retriedBefore).isEqualTo(1);
			assertThat(count("sqlqueue.jobs.completed", "flaky", "dead") - deadBefore).isEqualTo(1);
		});
		assertThat(enqueuedCount("greet") - enqueuedBefore).isEqualTo(2);
		Timer execution = this.meters.get("sqlqueue.job.execution").tags("type", "flaky", "outcome", "dead").timer();
		assertThat(execution.count()).isPositive();
		assertThat(this.meters.get("sqlqueue.job.wait").tags("queue", "default").timer().count()).isPositive();
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.meters.get("sqlqueue.queue.jobs")
				.tags("queue", "default", "state", "dead")
				.gauge()
				.value()).isPositive());
		assertThat(this.meters.get("sqlqueue.queue.oldest.age").tags("queue", "default").timeGauge()).isNotNull();
		Gauge busy = this.meters.get("sqlqueue.workers.busy").tags("queue", "default").gauge();
		assertThat(busy.value()).isBetween(0.0, 8.0);

		JsonNode metric = get("/actuator/metrics/sqlqueue.jobs.completed?tag=type:greet&tag=outcome:succeeded");
		assertThat(metric.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(2.0);
		assertThat(getText("/actuator/prometheus")).contains("sqlqueue_jobs_completed_total{")
			.contains("outcome=\"dead\"")
			.contains("sqlqueue_queue_jobs{");
	}

	@Test
	void theJobTablesDeadRowsAreMeteredWhereTheyNeedVacuum() {
		if (database() != TestDatabase.POSTGRESQL) {
			assertThat(this.meters.find(SqlQueueGauges.DEAD_ROWS).gauge()).as("only PostgreSQL's table needs a vacuum")
				.isNull();
			return;
		}
		// registered at the first sample, which runs as the application starts
		Gauge deadRows = await().atMost(TIMEOUT)
			.until(() -> this.meters.find(SqlQueueGauges.DEAD_ROWS).tags("table", this.jobs.jobTable()).gauge(),
					(gauge) -> gauge != null);
		// a claim and a success each leave a dead version of the job's row: 200 jobs, 400 of them at least,
		// far more than the cron job running every second adds while the test waits
		List<JobRequest> greetings = new ArrayList<>();
		for (int n = 0; n < 200; n++) {
			greetings.add(JobRequest.of("greet", new Greeting("dead rows " + n)));
		}
		List<Long> ids = this.jobs.enqueueAll(greetings);
		awaitState(ids.get(ids.size() - 1), JobState.SUCCEEDED);
		// the server counts a connection's dead rows when it reports its statistics, up to seconds later
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deadRows.value()).isGreaterThanOrEqualTo(400));
		double beforeVacuum = deadRows.value();

		new JdbcTemplate(this.dataSource).execute("VACUUM (ANALYZE) " + this.jobs.jobTable());

		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deadRows.value()).isLessThan(beforeVacuum / 2));
	}

	@Test
	void healthReportsTheQueueUp() throws Exception {
		JsonNode health = get("/actuator/health/sqlqueue");
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("details").get("queues").toString()).contains("default");
	}

	@Test
	void aCronHandlerFires() {
		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(this.handlers.ticks.get()).isPositive();
			assertThat(this.jobs.list(JobQuery.all().ofType("tick").inState(JobState.SUCCEEDED))).isNotEmpty();
		});
	}

	@Test
	void shutdownWaitsForARunningJob() throws Exception {
		ConfigurableApplicationContext slowApp = new SpringApplicationBuilder(SlowApplication.class)
			.web(WebApplicationType.NONE)
			.properties("e2e.database=" + database().name(), "sqlqueue.defaults.poll-interval=100ms",
					"sqlqueue.shutdown-timeout=30s", "spring.jmx.enabled=false")
			.run();
		SlowApplication.SlowHandler handler = slowApp.getBean(SlowApplication.SlowHandler.class);
		long id = slowApp.getBean(JdbcJobQueue.class).enqueue(new SlowApplication.Slow(1500));
		assertThat(handler.started.await(30, TimeUnit.SECONDS)).isTrue();

		slowApp.close();

		assertThat(handler.finished).isTrue();
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
	}

	private Job awaitState(long id, JobState state) {
		await().atMost(TIMEOUT).until(() -> this.jobs.find(id).orElseThrow().state() == state);
		return this.jobs.find(id).orElseThrow();
	}

	private double count(String name, String type, String outcome) {
		Counter counter = this.meters.find(name).tags("type", type, "outcome", outcome).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private double enqueuedCount(String type) {
		Counter counter = this.meters.find("sqlqueue.jobs.enqueued").tags("type", type).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private JsonNode get(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	private JsonNode post(String path, String body) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build());
	}

	private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
		return this.json.readTree(sendForText(request));
	}

	private String getText(String path) throws IOException, InterruptedException {
		return sendForText(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	private String sendForText(HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(request.uri() + " answered " + response.body()).isEqualTo(200);
		return response.body();
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
