package io.sqlqueue.spring.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

import io.sqlqueue.BatchBuilder.EnqueuedBatch;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.spring.e2e.EndToEndApplication.Flaky;
import io.sqlqueue.spring.e2e.EndToEndApplication.Greeting;
import io.sqlqueue.spring.e2e.EndToEndApplication.Order;
import io.sqlqueue.spring.actuate.SqlQueueGauges;
import io.sqlqueue.spring.e2e.EndToEndApplication.Handlers;
import io.sqlqueue.WorkflowBuilder.EnqueuedWorkflow;
import io.sqlqueue.testing.TestDatabase;

import static io.sqlqueue.WorkflowBuilder.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Boot application with the starter on a real database, seen from the outside: jobs run, fail
 * into the dead letter, are replayed over HTTP, show in meters and health, recurring jobs fire, and
 * shutdown waits for a running job. Subclassed once per database.
 */
@SpringBootTest(classes = EndToEndApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "sqlqueue.defaults.poll-interval=100ms", "sqlqueue.metrics.sample-interval=200ms",
				"sqlqueue.worker.snapshot-warning-age=1s",
				"management.endpoints.web.exposure.include=health,metrics,prometheus,sqlqueue",
				"management.endpoint.health.show-details=always" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
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

		JsonNode listing = getJson("/actuator/sqlqueue?queue=default&limit=500");
		assertThat(listing.get("queues").get("default").get("DEAD").asLong()).isPositive();
		assertThat(listing.get("dead").findValuesAsString("type")).contains("flaky");
		assertThat(listing.get("nodes")).as("the worker nodes, as the dashboard's nodes page shows them")
			.anySatisfy((node) -> {
				assertThat(node.get("alive").asBoolean()).isTrue();
				assertThat(node.get("queues").has("default")).isTrue();
			});
		List<String> listedErrors = new ArrayList<>();
		for (JsonNode listed : listing.get("dead")) {
			if (listed.get("id").asLong() == id) {
				listedErrors.add(listed.get("lastError").asString());
			}
		}
		// the list shows what failed in one line; the job's own page has the stack trace
		assertThat(listedErrors).singleElement().asString().contains("flaky failure for k1").doesNotContain("\n");
		JsonNode shown = getJson("/actuator/sqlqueue/" + id);
		assertThat(shown.get("state").asString()).isEqualTo("DEAD");
		assertThat(shown.get("lastError").asString()).contains("flaky failure for k1");

		this.handlers.flakyFixed.set(true);
		JsonNode replay = send(postRequest("/actuator/sqlqueue", "{\"id\": " + id + "}"));
		assertThat(replay.get("replayed").asInt()).isEqualTo(1);
		// a replay grants fresh attempts but keeps counting, so the attempt stays a valid fencing token
		assertThat(awaitState(id, JobState.SUCCEEDED).attempt()).isEqualTo(3);
	}

	@Test
	void badInputToTheEndpointIsABadRequestThatSaysWhatWasWrong(CapturedOutput output) throws Exception {
		assertRefused(post("/actuator/sqlqueue", "{}"), 400, "Give either 'id' (one dead job) or 'queue'");
		assertRefused(post("/actuator/sqlqueue", "{\"id\": 1, \"queue\": \"default\"}"), 400, "Give either 'id'");
		assertRefused(post("/actuator/sqlqueue", "{\"id\": \"abc\"}"), 400, "id must be a whole number, was 'abc'");
		assertRefused(post("/actuator/sqlqueue", "{\"queue\": \"no spaces\"}"), 400, "Invalid queue name 'no spaces'");
		assertRefused(get("/actuator/sqlqueue?limit=0"), 400, "limit must be between 1 and 10000, was 0");
		assertRefused(get("/actuator/sqlqueue?limit=many"), 400, "limit must be a whole number, was 'many'");
		assertRefused(get("/actuator/sqlqueue?afterId=-5"), 400, "afterId must not be negative, was -5");
		assertRefused(get("/actuator/sqlqueue?page=-1"), 400, "page -1 of size 50 is out of range");
		assertRefused(get("/actuator/sqlqueue?page=1&limit=5"), 400, "not both");
		assertRefused(get("/actuator/sqlqueue?queue=no%20spaces"), 400, "Invalid queue name 'no spaces'");
		assertRefused(get("/actuator/sqlqueue/abc"), 400, "id must be a whole number, was 'abc'");
		assertThat(output).as("bad input is the caller's mistake, not the server's").doesNotContain("ERROR");
	}

	@Test
	void aJobThatDoesNotExistIsNotFoundSayingSo() throws Exception {
		assertRefused(get("/actuator/sqlqueue/999999999"), 404, "no job 999999999");
	}

	@Test
	void aReplayThatCannotHappenSaysWhy() throws Exception {
		assertRefused(post("/actuator/sqlqueue", "{\"id\": 999999999}"), 404, "no job 999999999");

		long succeeded = this.jobs.enqueue(new Greeting("replayed too early"));
		awaitState(succeeded, JobState.SUCCEEDED);
		assertRefused(post("/actuator/sqlqueue", "{\"id\": " + succeeded + "}"), 409,
				"job " + succeeded + " is SUCCEEDED, only DEAD jobs can be replayed");

		// no worker works queue 'parked': its jobs stay where the test puts them
		String key = "replay-" + UUID.randomUUID();
		EnqueueOptions parked = EnqueueOptions.defaults().withQueue("parked").withUniqueKey(key);
		long dead = this.jobs.enqueue("parked-job", "first", parked);
		this.jobs.kill(dead, "for the test");
		long holder = this.jobs.enqueue("parked-job", "second", parked);
		assertRefused(post("/actuator/sqlqueue", "{\"id\": " + dead + "}"), 409,
				"job " + dead + " keeps its unique key '" + key + "', which another job holds until it finishes");
		assertThat(this.jobs.find(dead).orElseThrow().state()).isEqualTo(JobState.DEAD);

		this.jobs.cancel(holder);
		JsonNode replayed = send(postRequest("/actuator/sqlqueue", "{\"id\": " + dead + "}"));
		assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
		assertThat(this.jobs.find(dead).orElseThrow().state()).isEqualTo(JobState.READY);
	}

	@Test
	void handlerMethodsAreAWorkflowsStepsAndABatchCallbackReadsItsBatch() throws Exception {
		String order = "o-" + UUID.randomUUID();
		EnqueuedWorkflow flow = this.jobs.workflow("order " + order)
			.add("charge", "charge", new Order(order))
			.add("reserve", "reserve", new Order(order), after("charge"))
			.add("email", "email", new Order(order), after("charge"))
			.add("ship", "ship", new Order(order), after("reserve"), after("email"))
			.enqueue();
		awaitState(flow.steps().get("ship"), JobState.SUCCEEDED);
		List<String> ran = this.handlers.steps.stream().filter((step) -> step.contains(order)).toList();
		assertThat(ran).hasSize(4);
		assertThat(ran.get(0)).isEqualTo("charge " + order);
		assertThat(ran.subList(1, 3)).containsExactlyInAnyOrder("reserve " + order + " paid by receipt-" + order,
				"email " + order);
		assertThat(ran.get(3)).isEqualTo("ship " + order);

		String name = "greetings " + order;
		EnqueuedBatch batch = this.jobs.batch(name)
			.add(JobRequest.of("greet", new Greeting("b1")))
			.add(JobRequest.of("greet", new Greeting("b2")))
			.onComplete("batch-report", name)
			.enqueue();
		await().atMost(TIMEOUT).until(() -> this.handlers.batchReports.contains(name + ": 2 of 2 succeeded"));

		JsonNode shown = getJson("/actuator/sqlqueue/groups/" + flow.id());
		assertThat(shown.get("kind").asString()).isEqualTo("WORKFLOW");
		assertThat(shown.get("counts").get("SUCCEEDED").asLong()).isEqualTo(4);
		assertThat(shown.get("finishedAt").isNull()).isFalse();
		assertThat(shown.get("members").findValuesAsString("step")).containsExactly("charge", "reserve", "email", "ship");
		JsonNode ship = shown.get("members").get(3);
		assertThat(ship.get("jobId").asLong()).isEqualTo(flow.steps().get("ship"));
		assertThat(ship.get("after").valueStream().map(JsonNode::asString)).containsExactlyInAnyOrder("reserve", "email");
		JsonNode greetings = getJson("/actuator/sqlqueue/groups/" + batch.id());
		assertThat(greetings.get("kind").asString()).isEqualTo("BATCH");
		assertThat(greetings.get("total").asLong()).isEqualTo(2);
		assertThat(greetings.get("callbacks").get(0).get("step").asString()).isEqualTo("onComplete");
		assertThat(greetings.get("callbacks").get(0).get("state").asString()).isEqualTo("SUCCEEDED");
	}

	@Test
	void aWorkflowIsCancelledThroughTheEndpoint() throws Exception {
		// no worker works queue 'parked': the steps wait there
		EnqueueOptions parked = EnqueueOptions.defaults().withQueue("parked");
		EnqueuedWorkflow flow = this.jobs.workflow("parked")
			.add("first", "parked-job", "one", parked)
			.add("second", "parked-job", "two", parked, after("first"))
			.enqueue();

		JsonNode cancelled = send(HttpRequest.newBuilder(uri("/actuator/sqlqueue/groups/" + flow.id())).DELETE().build());
		assertThat(cancelled.get("cancelled").asInt()).isEqualTo(2);
		JsonNode shown = getJson("/actuator/sqlqueue/groups/" + flow.id());
		assertThat(shown.get("cancelled").asBoolean()).isTrue();
		assertThat(shown.get("counts").get("CANCELLED").asLong()).isEqualTo(2);
		assertRefused(get("/actuator/sqlqueue/groups/999999999"), 404, "no batch or workflow 999999999");
		assertRefused(this.http.send(HttpRequest.newBuilder(uri("/actuator/sqlqueue/groups/999999999")).DELETE().build(),
				HttpResponse.BodyHandlers.ofString()),
				404, "no batch or workflow 999999999");
		assertRefused(get("/actuator/sqlqueue/batches/1"), 400, "batches and workflows are under /groups/{id}");
		assertRefused(get("/actuator/sqlqueue/groups/abc"), 400, "id must be a whole number, was 'abc'");
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

		JsonNode metric = getJson("/actuator/metrics/sqlqueue.jobs.completed?tag=type:greet&tag=outcome:succeeded");
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
	void aSessionHoldingASnapshotIsMeteredNamedInHealthAndWarnedAbout(CapturedOutput output) throws Exception {
		if (database() != TestDatabase.POSTGRESQL) {
			assertThat(this.meters.find(SqlQueueGauges.SNAPSHOT_AGE).timeGauge()).as("only PostgreSQL's vacuum is held back")
				.isNull();
			return;
		}
		try (Connection report = this.dataSource.getConnection()) {
			report.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
			report.setAutoCommit(false);
			int pid;
			try (Statement statement = report.createStatement();
					ResultSet read = statement.executeQuery("SELECT count(*), pg_backend_pid() FROM " + this.jobs.jobTable())) {
				read.next();
				pid = read.getInt(2);
			}
			TimeGauge age = await().atMost(TIMEOUT)
				.until(() -> this.meters.find(SqlQueueGauges.SNAPSHOT_AGE).timeGauge(), (gauge) -> gauge != null);
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(age.value(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1));
			JsonNode health = getJson("/actuator/health/sqlqueue");
			assertThat(health.get("status").asString()).isEqualTo("UP");
			assertThat(health.get("details").get("heldSnapshot").get("pid").asInt()).isEqualTo(pid);
			assertThat(health.get("details").get("heldSnapshot").get("state").asString()).isEqualTo("idle in transaction");
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(output.getOut()).contains("PostgreSQL session pid " + pid + " ("));
			report.rollback();
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(age.value(TimeUnit.SECONDS)).isLessThan(1));
		}
	}

	@Test
	void healthReportsTheQueueUp() throws Exception {
		JsonNode health = getJson("/actuator/health/sqlqueue");
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

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
		return this.http.send(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest postRequest(String path, String body) {
		return HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	private JsonNode getJson(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	/** The endpoint answered {@code status} with a JSON body whose message says {@code message}. */
	private void assertRefused(HttpResponse<String> response, int status, String message) {
		assertThat(response.statusCode()).as(response.request().uri() + " answered " + response.body()).isEqualTo(status);
		assertThat(this.json.readTree(response.body()).path("message").asString()).as(response.body()).contains(message);
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
