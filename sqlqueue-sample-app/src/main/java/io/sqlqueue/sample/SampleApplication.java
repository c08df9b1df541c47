package io.sqlqueue.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small shop on sqlqueue. Placing an order saves it and enqueues its jobs in one transaction;
 * the handlers in {@link ShopJobs} confirm it, print a shipping label (a flaky printer that works on
 * retry), sync it to a legacy ERP (down until switched on: its jobs end in the dead letter and are
 * replayed through Actuator), remind the customer later, and report sales on a schedule.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
