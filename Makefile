# Short aliases only: every target delegates to ./pants, ./hangar or ci_scripts/.
.PHONY: doctor test lint fmt check package gates pre-commit ci

doctor:
	./hangar doctor
test:
	ci_scripts/run_tests.sh
lint:
	./pants lint ::
fmt:
	./pants fmt ::
check:
	./pants check ::
package:
	ci_scripts/package.sh
gates:
	ci_scripts/gates.sh
pre-commit:
	ci_scripts/pre_commit.sh
ci:
	bash .ci/run
