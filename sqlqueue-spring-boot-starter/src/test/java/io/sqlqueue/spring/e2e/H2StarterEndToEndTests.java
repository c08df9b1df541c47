package io.sqlqueue.spring.e2e;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.TestPropertySource;

import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

@TestPropertySource(properties = "e2e.database=H2")
class H2StarterEndToEndTests extends AbstractStarterEndToEndTests {

	@BeforeAll
	static void emptyDatabase() {
		TestDatabases.dropAllTables(TestDatabase.H2, TestDatabases.dataSource(TestDatabase.H2));
	}

	@Override
	TestDatabase database() {
		return TestDatabase.H2;
	}

}
