package io.sqlqueue.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.sample.Shop.PlacedOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's story, end to end over real HTTP on an in-memory H2 database: an order enqueues its jobs
 * in its transaction, a rolled-back order enqueues nothing, a flaky job succeeds on retry and chains the
 * next, a failing job ends in the dead letter and is replayed through Actuator, a delayed job waits,
 * express orders go to their own queue, the recurring report fires, and the meters count it all.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.datasource.url=jdbc:h2:mem:shop-story;DB_CLOSE_DELAY=-1",
		"sqlqueue.defaults.poll-interval=100ms",
		"sample.retry-backoff=200ms",
		"sample.review-reminder-delay=3s",
		"sample.sales-report.cron=* * * * * *" })
@AutoConfigureMetrics
class ShopStoryTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	JobQueue jobs;

	@Autowired
	Shop shop;

	RestClient http;

	@BeforeEach
	void setUp() {
		this.http = RestClient.builder().baseUrl("http://localhost:" + this.port).build();
		this.shop.setErpOnline(false);
	}

	@Test
	void anOrderIsConfirmedThenItsLabelPrintsOnTheThirdAttempt() {
		PlacedOrder order = placeOrder("ada", "teapot", 2, false);
		assertThat(order.status()).isEqualTo("NEW");

		await().atMost(TIMEOUT).until(() -> "SHIPPED".equals(orderStatus(order.id())));
		assertThat(this.shop.emails(order.id())).first().asString().contains("confirmed: 2 x teapot");

		Job confirmation = this.jobs.find(order.confirmationJob()).orElseThrow();
		assertThat(confirmation.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(confirmation.logs()).containsExactly("confirmation sent to ada");

		Job label = onlyJob(ShopJobs.PRINT_LABEL, order.id());
		assertThat(label.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(label.attempt()).isEqualTo(3);
		assertThat(label.lastError()).contains("label printer busy (attempt 2)");
		assertThat(label.result()).contains("LBL-" + order.id());
	}

	@Test
	void aRolledBackOrderLeavesNoOrderAndNoJob() {
		long jobsBefore = orderJobCount();
		int ordersBefore = this.shop.orders().size();

		ResponseEntity<String> response = this.http.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("customer", "bob", "item", "piano", "quantity", 500))
			.retrieve()
			.onStatus((status) -> true, (request, resp) -> {
			})
			.toEntity(String.class);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
		assertThat(response.getBody()).contains("Only 100 of 'piano' in stock");
		assertThat(this.shop.orders()).hasSize(ordersBefore);
		assertThat(orderJobCount()).isEqualTo(jobsBefore);
	}

	@Test
	void anOperatorSeesTheDeadErpSyncOnTheDashboardAndReplaysItThere() {
		PlacedOrder order = placeOrder("di", "teapot", 1, false);
		await().atMost(TIMEOUT)
			.until(() -> this.jobs.find(order.erpSyncJob()).orElseThrow().state() == JobState.DEAD);
		assertThat(this.http.get().uri("/sqlqueue/").retrieve().body(String.class)).contains("assets/app.js");
		String dead = this.http.get().uri("/sqlqueue/api/dead").retrieve().body(String.class);
		assertThat(dead).contains(ShopJobs.SYNC_ERP).contains("legacy ERP is offline");

		this.shop.setErpOnline(true);
		String replayed = this.http.post()
			.uri("/sqlqueue/api/jobs/{id}/retry", order.erpSyncJob())
			.contentType(MediaType.APPLICATION_JSON)
			.body("{}")
			.retrieve()
			.body(String.class);
		assertThat(replayed).contains("\"done\":true");
		await().atMost(TIMEOUT)
			.until(() -> this.jobs.find(order.erpSyncJob()).orElseThrow().state() == JobState.SUCCEEDED);
	}

	@Test
	void erpSyncEndsInTheDeadLetterAndIsReplayedThroughActuator() {
		PlacedOrder order = placeOrder("cy", "kettle", 1, false);
		await().atMost(TIMEOUT)
			.until(() -> this.jobs.find(order.erpSyncJob()).orElseThrow().state() == JobState.DEAD);
		Job dead = this.jobs.find(order.erpSyncJob()).orElseThrow();
		assertThat(dead.attempt()).isEqualTo(3);
		assertThat(dead.lastError()).contains("legacy ERP is offline: order " + order.id() + " not synced");

		String overview = this.http.get().uri("/actuator/sqlqueue").retrieve().body(String.class);
		assertThat(overview).contains(ShopJobs.SYNC_ERP).contains("legacy ERP is offline");

		this.http.put().uri("/erp").contentType(MediaType.APPLICATION_JSON).body(Map.of("online", true)).retrieve()
			.toBodilessEntity();
		String replayed = this.http.post()
			.uri("/actuator/sqlqueue")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("id", order.erpSyncJob()))
			.retrieve()
			.body(String.class);
		assertThat(replayed).contains("\"replayed\":1");

		await().atMost(TIMEOUT)
			.until(() -> this.jobs.find(order.erpSyncJob()).orElseThrow().state() == JobState.SUCCEEDED);
	}

	@Test
	void theReviewReminderWaitsForItsDelay() {
		PlacedOrder order = placeOrder("dee", "mug", 1, false);
		Job reminder = this.jobs.find(order.reminderJob()).orElseThrow();
		assertThat(Duration.between(reminder.createdAt(), reminder.runAt())).isGreaterThanOrEqualTo(Duration.ofMillis(2900));

		await().atMost(TIMEOUT).until(() -> "SHIPPED".equals(orderStatus(order.id())));
		assertThat(this.jobs.find(order.reminderJob()).orElseThrow().state()).isIn(JobState.READY, JobState.RUNNING,
				JobState.SUCCEEDED);
		await().atMost(TIMEOUT)
			.until(() -> this.shop.emails(order.id()).contains("How do you like your mug?"));
		Job sent = this.jobs.find(order.reminderJob()).orElseThrow();
		assertThat(sent.finishedAt()).isAfterOrEqualTo(sent.runAt());
	}

	@Test
	void expressOrdersGoToTheExpressQueueAheadOfOthers() {
		PlacedOrder order = placeOrder("eve", "scarf", 1, true);
		Job confirmation = this.jobs.find(order.confirmationJob()).orElseThrow();
		assertThat(confirmation.queue()).isEqualTo(ShopJobs.EXPRESS_QUEUE);
		assertThat(confirmation.priority()).isEqualTo(10);
		assertThat(confirmation.metadata()).containsEntry("customer", "eve");
		await().atMost(TIMEOUT).until(() -> "SHIPPED".equals(orderStatus(order.id())));
	}

	@Test
	void theSalesReportRunsOnItsSchedule() {
		await().atMost(TIMEOUT).until(() -> this.shop.reportCount() >= 2);
		assertThat(this.jobs.list(JobQuery.all().ofType(ShopJobs.SALES_REPORT).inState(JobState.SUCCEEDED)))
			.isNotEmpty();
	}

	@Test
	void healthMetricsAndPrometheusShowTheQueue() {
		PlacedOrder order = placeOrder("fay", "lamp", 1, false);
		await().atMost(TIMEOUT).until(() -> "SHIPPED".equals(orderStatus(order.id())));

		String health = this.http.get().uri("/actuator/health").retrieve().body(String.class);
		assertThat(health).contains("\"sqlqueue\"").contains("UP");

		Map<String, Object> completed = this.http.get()
			.uri("/actuator/metrics/sqlqueue.jobs.completed?tag=type:print-label&tag=outcome:succeeded")
			.retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
		assertThat(completed).containsKey("measurements");
		assertThat(completed.get("measurements").toString()).doesNotContain("value=0.0");

		String prometheus = this.http.get().uri("/actuator/prometheus").retrieve().body(String.class);
		assertThat(prometheus).contains("sqlqueue_jobs_enqueued_total").contains("sqlqueue_jobs_completed_total");
	}

	private PlacedOrder placeOrder(String customer, String item, int quantity, boolean express) {
		return this.http.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("customer", customer, "item", item, "quantity", quantity, "express", express))
			.retrieve()
			.body(PlacedOrder.class);
	}

	private String orderStatus(long orderId) {
		Map<String, Object> body = this.http.get().uri("/orders/{id}", orderId).retrieve().body(new ParameterizedTypeReference<>() {
		});
		@SuppressWarnings("unchecked")
		Map<String, Object> order = (Map<String, Object>) body.get("order");
		return (String) order.get("status");
	}

	/** Jobs only an order placement enqueues (the recurring report and chained labels come on their own). */
	private long orderJobCount() {
		return List.of(ShopJobs.CONFIRM_ORDER, ShopJobs.SYNC_ERP, ShopJobs.REVIEW_REMINDER)
			.stream()
			.mapToLong((type) -> this.jobs.list(JobQuery.all().ofType(type).limit(JobQuery.MAX_LIMIT)).size())
			.sum();
	}

	private Job onlyJob(String type, long orderId) {
		List<Job> matching = this.jobs.list(JobQuery.all().ofType(type).limit(1000))
			.stream()
			.filter((job) -> job.payload().contains("\"orderId\":" + orderId))
			.toList();
		assertThat(matching).hasSize(1);
		return matching.get(0);
	}

}
