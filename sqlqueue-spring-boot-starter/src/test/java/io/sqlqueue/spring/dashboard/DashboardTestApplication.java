package io.sqlqueue.spring.dashboard;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import io.sqlqueue.spring.JobHandler;

/**
 * An application with the dashboard on, as a user would switch it on, on its own H2 database.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(DashboardTestApplication.Handlers.class)
public class DashboardTestApplication {

	record Greeting(String name) {
	}

	record Order(String sku) {
	}

	record Hostile(String text) {
	}

	static class Handlers {

		final AtomicBoolean stockArrived = new AtomicBoolean();

		final AtomicBoolean cardsAccepted = new AtomicBoolean();

		@JobHandler(value = "greet", queue = "overview")
		String greet(Greeting greeting) {
			return "hello " + greeting.name();
		}

		@JobHandler(value = "greet-paused", queue = "pausable")
		String greetPaused(Greeting greeting) {
			return "hello " + greeting.name();
		}

		@JobHandler(value = "greet-elsewhere", queue = "other")
		String greetElsewhere(Greeting greeting) {
			return "hello " + greeting.name();
		}

		@JobHandler(value = "reserve-stock", queue = "stock", maxAttempts = "1")
		void reserve(Order order) {
			if (!this.stockArrived.get()) {
				throw new IllegalStateException("no stock for " + order.sku());
			}
		}

		@JobHandler(value = "charge-card", queue = "payments", maxAttempts = "1")
		void charge(Order order) {
			if (!this.cardsAccepted.get()) {
				throw new IllegalStateException("card refused: " + order.sku());
			}
		}

		@JobHandler(value = "photo-step", queue = "photos")
		String photoStep(Greeting step) {
			return step.name() + " done";
		}

		@JobHandler(value = "nightly-report", queue = "reports", cron = "0 0 3 * * *")
		void nightlyReport() {
		}

		@JobHandler(value = "hostile", queue = "hostile", maxAttempts = "1")
		void hostile(Hostile hostile) {
			throw new IllegalStateException(hostile.text());
		}

	}

}
