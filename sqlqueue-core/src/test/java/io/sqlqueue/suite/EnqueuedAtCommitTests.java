package io.sqlqueue.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobRequest;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

/**
 * Listeners hear of an enqueue once it is committed, so that a meter of enqueued jobs minus completed ones
 * tracks the queue: an enqueue whose transaction rolls back was never a job.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class EnqueuedAtCommitTests {

	@Parameter
	TestDatabase db;

	@Test
	void anEnqueueIsCountedWhenItsTransactionCommitsAndNeverWhenItRollsBack() {
		DataSource dataSource = TestDatabases.fresh(this.db);
		List<String> enqueued = new CopyOnWriteArrayList<>();
		JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).listener(new JobEventListener() {
			@Override
			public void jobEnqueued(String queue, String type) {
				enqueued.add(type);
			}
		}).build();
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));

		transaction.executeWithoutResult((status) -> {
			jobs.enqueue("rolled-back", Map.of());
			jobs.enqueueAll(List.of(JobRequest.of("rolled-back", Map.of()), JobRequest.of("rolled-back", Map.of())));
			assertThat(enqueued).as("before the commit").isEmpty();
			status.setRollbackOnly();
		});
		transaction.executeWithoutResult((status) -> {
			jobs.enqueue("committed", Map.of());
			assertThat(enqueued).as("before the commit").isEmpty();
		});
		jobs.enqueue("outside", Map.of());

		assertThat(enqueued).containsExactly("committed", "outside");
		assertThat(jobs.count(null, null)).isEqualTo(2);
	}

}
