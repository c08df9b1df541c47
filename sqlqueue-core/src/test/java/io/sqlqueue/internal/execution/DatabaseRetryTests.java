package io.sqlqueue.internal.execution;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DatabaseRetryTests {

	@Test
	void connectionsThatWentAwayAreTransientWhateverSpringMadeOfThem() {
		assertThat(DatabaseRetry.isTransient(new UncategorizedSQLException("claim", "UPDATE ...",
				new SQLException("Connection was killed", "70100", 1927)))).isTrue();
		TransactionSystemException rollbackOnDeadConnection = new TransactionSystemException("JDBC rollback failed");
		rollbackOnDeadConnection.initCause(new SQLNonTransientConnectionException("socket closed", "08000"));
		assertThat(DatabaseRetry.isTransient(rollbackOnDeadConnection)).isTrue();
		assertThat(DatabaseRetry.isTransient(new UncategorizedSQLException("claim", "UPDATE ...",
				new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
	}

	@Test
	void mistakesAreNotRetried() {
		assertThat(DatabaseRetry.isTransient(new DuplicateKeyException("unique_key"))).isFalse();
		assertThat(DatabaseRetry.isTransient(new BadSqlGrammarException("claim", "UPDATE ...",
				new SQLSyntaxErrorException("no such table", "42P01")))).isFalse();
		assertThat(DatabaseRetry.isTransient(new IllegalStateException("bug"))).isFalse();
	}

	@Test
	void aBlipIsRetriedUntilItPassesAndAMistakeIsThrownAtOnce() {
		List<Throwable> reported = new CopyOnWriteArrayList<>();
		DatabaseRetry retry = new DatabaseRetry(Duration.ofMillis(50), 4, reported::add);
		AtomicInteger calls = new AtomicInteger();
		String result = retry.call(() -> {
			if (calls.incrementAndGet() < 3) {
				throw new UncategorizedSQLException("write", "UPDATE ...", new SQLException("killed", "70100"));
			}
			return "written";
		});
		assertThat(result).isEqualTo("written");
		assertThat(calls).hasValue(3);
		// each retried failure is reported, so that the worker shows unhealthy while it waits
		assertThat(reported).hasSize(2).allSatisfy((failure) -> assertThat(failure).hasMessageContaining("killed"));

		AtomicInteger mistakes = new AtomicInteger();
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> retry.call(() -> {
			mistakes.incrementAndGet();
			throw new DuplicateKeyException("unique_key");
		}));
		assertThat(mistakes).hasValue(1);
		assertThat(reported).as("a mistake is not a database outage").hasSize(2);
	}

}
