package io.sqlqueue.sample;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.aot.AotDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.sample.Shop.NewOrder;
import io.sqlqueue.sample.Shop.PlacedOrder;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.test.SqlQueueTester;
import io.sqlqueue.worker.JobRun;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample runs from the context that {@code spring-boot:process-aot} generated at build time, as a native
 * image would, but on the JVM: its {@code @JobHandler} methods are found and bound, and an order's jobs run.
 * Run by the {@code aot-mode} surefire execution with {@code -Dspring.aot.enabled=true}; the default execution
 * leaves it out (and skips it when named with {@code -Dtest}).
 */
@EnabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
		disabledReason = "run by the aot-mode surefire execution, with spring.aot.enabled=true")
class AotModeTests {

	@Test
	void theAheadOfTimeProcessedApplicationRunsAnOrdersJobs() {
		assertThat(AotDetector.useGeneratedArtifacts()).as("spring.aot.enabled").isTrue();
		SpringApplication application = new SpringApplication(SampleApplication.class);
		// the generated initializer is found by the main class's name, which is not this test's launcher
		application.setMainApplicationClass(SampleApplication.class);
		try (ConfigurableApplicationContext context = application.run(
				"--spring.datasource.url=jdbc:h2:mem:aot-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "--server.port=0",
				"--sqlqueue.worker.mode=manual")) {
			JobHandlerRegistry registry = context.getBean(JobHandlerRegistry.class);
			assertThat(registry.endpoints()).hasSizeGreaterThanOrEqualTo(5);
			SqlQueueTester queue = SqlQueueTester.of(context.getBean(JdbcJobQueue.class), registry::worker);
			Shop shop = context.getBean(Shop.class);

			PlacedOrder order = shop.placeOrder(new NewOrder("ada", "teapot", 1, false));
			queue.assertThat().hasEnqueued(ShopJobs.OrderPlaced.class, (placed) -> placed.orderId() == order.id());

			assertThat(queue.drain()).extracting(JobRun::type, JobRun::outcome)
				.contains(org.assertj.core.groups.Tuple.tuple(ShopJobs.CONFIRM_ORDER, Outcome.SUCCEEDED));
			queue.advanceAndDrain(Duration.ofSeconds(2));
			queue.advanceAndDrain(Duration.ofSeconds(2));
			assertThat(shop.order(order.id()).orElseThrow().status()).isEqualTo("SHIPPED");
			assertThat(shop.emails(order.id())).first().asString().contains("confirmed: 1 x teapot");
		}
	}

}
