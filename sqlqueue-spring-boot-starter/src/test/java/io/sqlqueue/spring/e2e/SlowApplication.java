package io.sqlqueue.spring.e2e;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.spring.JobHandler;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

/** An application whose one handler takes a while, to watch a graceful shutdown. */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class SlowApplication {

	@Bean(destroyMethod = "")
	DataSource dataSource(@Value("${e2e.database}") TestDatabase database) {
		return TestDatabases.dataSource(database);
	}

	@Bean
	SlowHandler slowHandler() {
		return new SlowHandler();
	}

	record Slow(long millis) {
	}

	static class SlowHandler {

		final CountDownLatch started = new CountDownLatch(1);

		final AtomicBoolean finished = new AtomicBoolean();

		@JobHandler(value = "slow", queue = "slow")
		void slow(Slow slow) throws InterruptedException {
			this.started.countDown();
			Thread.sleep(slow.millis());
			this.finished.set(true);
		}

	}

}
