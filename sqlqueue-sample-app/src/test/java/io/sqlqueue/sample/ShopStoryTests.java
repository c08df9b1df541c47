package io.sqlqueue.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;
import io.sqlqueue.sample.Shop.PlacedOrder;
import io.sqlqueue.sample.ShopJobs.OrderPlaced;
import io.sqlqueue.sample.ShopJobs.PrintLabel;
import io.sqlqueue.sample.ShopJobs.ReviewReminder;
import io.sqlqueue.test.JobCriteria;
import io.sqlqueue.test.PerformResult;
import io.sqlqueue.test.SqlQueueTester;
import io.sqlqueue.worker.JobRun;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's story, end to end over real HTTP on an in-memory H2 database, with the worker in manual mode:
 * jobs run on the test's thread when it drains the queue, and the test moves the queue's clock instead of
 * waiting. An order enqueues its workflow and jobs in its transaction, a rolled-back order enqueues nothing, the
 * workflow's steps run one after the other (the flaky label printer succeeding on retry), a failing job ends in
 * the dead letter and is replayed through Actuator, a delayed job waits, express orders go to their own queue,
 * the recurring report fires, and the meters count it all.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.datasource.url=jdbc:h2:mem:shop-story;DB_CLOSE_DELAY=-1", "sqlqueue.worker.mode=manual" })
@AutoConfigureMetrics
class ShopStoryTests {

	/** Longer than the label printer's and the ERP's retry backoff (1 s in application.yml) and its jitter. */
	private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);

	/** The review reminder's delay, as application.yml sets it. */
	private static final Duration REMINDER_DELAY = Duration.ofMinutes(1);

	@LocalServerPort
	int port;

	@Autowired
	SqlQueueTester queue;

	@Autowired
	Shop shop;

	RestClient http;

	@BeforeEach
	void setUp() {
		this.http = RestClient.builder().baseUrl("http://localhost:" + this.port).build();
		this.shop.setErpOnline(false);
		this.queue.drain();
	}

	@Test
	void anOrdersWorkflowConfirmsItThenPrintsItsLabelOnTheThirdAttemptThenShipsIt() {
		PlacedOrder order = placeOrder("ada", "teapot", 2, false);
		assertThat(order.status()).isEqualTo("NEW");
		this.queue.assertThat()
			.hasEnqueued(OrderPlaced.class, (placed) -> placed.orderId() == order.id() && placed.quantity() == 2);

		List<JobRun> runs = new ArrayList<>(runsFor(this.queue.drain(), order.id()));
		assertThat(runs).extracting(JobRun::type, JobRun::outcome)
			.contains(org.assertj.core.groups.Tuple.tuple(ShopJobs.CONFIRM_ORDER, Outcome.SUCCEEDED),
					org.assertj.core.groups.Tuple.tuple(ShopJobs.PRINT_LABEL, Outcome.RETRIED));
		assertThat(orderStatus(order.id())).isEqualTo("CONFIRMED");
		runs.addAll(runsFor(this.queue.advanceAndDrain(RETRY_BACKOFF), order.id()));
		runs.addAll(runsFor(this.queue.advanceAndDrain(RETRY_BACKOFF), order.id()));

		List<String> fulfilment = List.of(ShopJobs.CONFIRM_ORDER, ShopJobs.PRINT_LABEL, ShopJobs.SHIP_ORDER);
		assertThat(runs).as("each step ran once the step before it had succeeded")
			.filteredOn((run) -> fulfilment.contains(run.type()))
			.extracting(JobRun::type, JobRun::outcome)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(ShopJobs.CONFIRM_ORDER, Outcome.SUCCEEDED),
					org.assertj.core.groups.Tuple.tuple(ShopJobs.PRINT_LABEL, Outcome.RETRIED),
					org.assertj.core.groups.Tuple.tuple(ShopJobs.PRINT_LABEL, Outcome.RETRIED),
					org.assertj.core.groups.Tuple.tuple(ShopJobs.PRINT_LABEL, Outcome.SUCCEEDED),
					org.assertj.core.groups.Tuple.tuple(ShopJobs.SHIP_ORDER, Outcome.SUCCEEDED));
		assertThat(orderStatus(order.id())).isEqualTo("SHIPPED");
		assertThat(this.shop.emails(order.id())).containsExactly("Order #" + order.id() + " confirmed: 2 x teapot",
				"Order #" + order.id() + " shipped, label LBL-" + order.id());
		Job confirmation = this.queue.queue().find(order.confirmationJob()).orElseThrow();
		assertThat(confirmation.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(confirmation.logs()).containsExactly("confirmation sent to ada");
		Job label = onlyJob(ShopJobs.PRINT_LABEL, order.id());
		assertThat(label.state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(label.attempt()).isEqualTo(3);
		assertThat(label.lastError()).contains("label printer busy (attempt 2)");
		assertThat(label.result()).contains("LBL-" + order.id());
		assertThat(label.batchId()).isEqualTo(order.workflow());

		JobGroup workflow = this.queue.queue().workflow(order.workflow()).orElseThrow();
		assertThat(workflow.succeeded()).isTrue();
		assertThat(workflow.members()).extracting(JobGroup.Member::step, JobGroup.Member::after)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("confirm", List.of()),
					org.assertj.core.groups.Tuple.tuple("label", List.of("confirm")),
					org.assertj.core.groups.Tuple.tuple("ship", List.of("label")));
		String shown = this.http.get().uri("/actuator/sqlqueue/groups/{id}", order.workflow()).retrieve().body(String.class);
		assertThat(shown).contains("\"kind\":\"WORKFLOW\"").contains("\"name\":\"order #" + order.id() + "\"");
	}

	@Test
	void theLabelHandlerAloneFailsItsFirstAttempt() {
		PerformResult run = this.queue.perform(ShopJobs.PRINT_LABEL, new PrintLabel(42));

		assertThat(run.outcome()).isEqualTo(Outcome.RETRIED);
		assertThat(run.error()).hasMessage("label printer busy (attempt 1)");
	}

	@Test
	void aRolledBackOrderLeavesNoOrderAndNoJob() {
		int ordersBefore = this.shop.orders().size();
		int jobsBefore = orderJobCount();

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
		JobCriteria anyState = JobCriteria.any().inAnyState();
		this.queue.assertThat()
			.hasNotEnqueued(ShopJobs.CONFIRM_ORDER, anyState.withPayload(OrderPlaced.class, (placed) -> placed.customer().equals("bob")))
			.hasNotEnqueued(ShopJobs.REVIEW_REMINDER, anyState.withPayload(ReviewReminder.class,
					(reminder) -> reminder.customer().equals("bob")));
		assertThat(orderJobCount()).isEqualTo(jobsBefore);
	}

	@Test
	void anOperatorSeesTheDeadErpSyncOnTheDashboardAndReplaysItThere() {
		PlacedOrder order = placeOrder("di", "teapot", 1, false);
		this.queue.drain();
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		assertThat(this.queue.queue().find(order.erpSyncJob()).orElseThrow().state()).isEqualTo(JobState.DEAD);
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
		assertThat(this.queue.drain()).extracting(JobRun::id).contains(order.erpSyncJob());
		assertThat(this.queue.queue().find(order.erpSyncJob()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
	}

	@Test
	void erpSyncEndsInTheDeadLetterAndIsReplayedThroughActuator() {
		PlacedOrder order = placeOrder("cy", "kettle", 1, false);
		this.queue.drain();
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		this.queue.advanceAndDrain(RETRY_BACKOFF);

		Job dead = this.queue.queue().find(order.erpSyncJob()).orElseThrow();
		assertThat(dead.state()).isEqualTo(JobState.DEAD);
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

		assertThat(this.queue.drain()).extracting(JobRun::id).contains(order.erpSyncJob());
		assertThat(this.queue.queue().find(order.erpSyncJob()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
	}

	@Test
	void theReviewReminderWaitsForItsDelay() {
		Instant placedAt = this.queue.queue().databaseTime();
		PlacedOrder order = placeOrder("dee", "mug", 1, false);
		this.queue.assertThat()
			.hasEnqueued(ShopJobs.REVIEW_REMINDER, JobCriteria.any().runAt(placedAt.plus(REMINDER_DELAY), Duration.ofSeconds(5)));

		this.queue.drain();
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		assertThat(orderStatus(order.id())).isEqualTo("SHIPPED");
		assertThat(this.queue.queue().find(order.reminderJob()).orElseThrow().state()).isEqualTo(JobState.READY);
		assertThat(this.shop.emails(order.id())).doesNotContain("How do you like your mug?");

		this.queue.advanceAndDrain(REMINDER_DELAY);

		assertThat(this.shop.emails(order.id())).contains("How do you like your mug?");
		assertThat(this.queue.queue().find(order.reminderJob()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
	}

	@Test
	void expressOrdersGoToTheExpressQueueAheadOfOthers() {
		PlacedOrder order = placeOrder("eve", "scarf", 1, true);

		this.queue.assertThat()
			.hasEnqueued(ShopJobs.CONFIRM_ORDER, JobCriteria.any()
				.inQueue(ShopJobs.EXPRESS_QUEUE)
				.withPriority(10)
				.withMetadata("customer", "eve"))
			.hasNotEnqueued(ShopJobs.CONFIRM_ORDER, JobCriteria.any().inQueue("default").withMetadata("customer", "eve"));
		this.queue.drain();
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		assertThat(orderStatus(order.id())).isEqualTo("SHIPPED");
	}

	@Test
	void theSalesReportRunsOnItsSchedule() {
		long reportsBefore = this.shop.reportCount();

		List<JobRun> runs = this.queue.advanceAndDrain(Duration.ofMinutes(1));

		assertThat(runs).extracting(JobRun::type).contains(ShopJobs.SALES_REPORT);
		assertThat(this.shop.reportCount()).isEqualTo(reportsBefore + 1);
		this.queue.assertThat()
			.hasEnqueued(ShopJobs.SALES_REPORT, JobCriteria.any().inState(JobState.SUCCEEDED)
				.withMetadata("sqlqueue.recurring", "sales-report"));
	}

	@Test
	void healthMetricsAndPrometheusShowTheQueue() {
		PlacedOrder order = placeOrder("fay", "lamp", 1, false);
		this.queue.drain();
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		this.queue.advanceAndDrain(RETRY_BACKOFF);
		assertThat(orderStatus(order.id())).isEqualTo("SHIPPED");

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
	private int orderJobCount() {
		return List.of(ShopJobs.CONFIRM_ORDER, ShopJobs.SYNC_ERP, ShopJobs.REVIEW_REMINDER)
			.stream()
			.mapToInt((type) -> this.queue.jobs(type).size())
			.sum();
	}

	/** The runs of the jobs of {@code orderId}: other tests' jobs may run in the same drain. */
	private static List<JobRun> runsFor(List<JobRun> runs, long orderId) {
		return runs.stream().filter((run) -> run.job().payload().contains("\"orderId\":" + orderId)).toList();
	}

	private Job onlyJob(String type, long orderId) {
		List<Job> matching = this.queue.jobs(type)
			.stream()
			.filter((job) -> job.payload().contains("\"orderId\":" + orderId))
			.toList();
		assertThat(matching).hasSize(1);
		return matching.get(0);
	}

}
