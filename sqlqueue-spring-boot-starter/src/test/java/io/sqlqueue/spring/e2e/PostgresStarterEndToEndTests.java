package io.sqlqueue.spring.e2e;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.TestPropertySource;

import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

@TestPropertySource(properties = "e2e.database=POSTGRESQL")
class PostgresStarterEndToEndTests extends AbstractStarterEndToEndTests {

	@BeforeAll
	static void emptyDatabase() {
		TestDatabases.dropAllTables(TestDatabase.POSTGRESQL, TestDatabases.dataSource(TestDatabase.POSTGRESQL));
	}

	@Override
	TestDatabase database() {
		return TestDatabase.POSTGRESQL;
	}

}
