package io.sqlqueue.suite;

import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * The older node of {@link RollingDeployTests}: it has a handler for {@code greet} only, bound to the older
 * payload class, which lacks a property the newer one has. Run as a process of its own on PostgreSQL and
 * MariaDB ({@code args[0]} the JDBC URL), in the test's JVM on H2 and SQLite.
 */
public final class OldNodeProcess {

	static final String STARTED = "OLD-NODE-STARTED";

	/** The payload as the older version of the application declares it: no title yet. */
	record Greeting(String name) {
	}

	private OldNodeProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(6);
		JobWorker worker = worker(new HikariDataSource(config));
		worker.start();
		System.out.println(STARTED);
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

	static JobWorker worker(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		return JobWorker.builder(JdbcJobQueue.builder(dataSource).build())
			.workerId("old")
			.maintenance(false)
			.queue("greetings", QueueSettings.defaults().withConcurrency(4).withPollInterval(Duration.ofMillis(50)))
			.handler(RollingDeployTests.GREET, Greeting.class, (greeting, ctx) -> {
				Thread.sleep(5);
				RollingDeployTests.record(jdbc, ctx.id(), ctx.type(), "old", greeting.name());
			})
			.build();
	}

}
