# The two commands: `make demo` and `make test`. Each bootstraps .venv by itself.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mpp_prod

.PHONY: demo-agency prod demo test venv lint format migrations-check deploy-check bench bench-queue bench-report bench-citizens bench-face bench-surveys clean browser-deps messages

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data
	$(PY) manage.py shell -c "from mpp.citizens.demo import citizens_demo_generate; citizens_demo_generate(seed=2026)"
	$(PY) manage.py load_demo_visits
	$(PY) manage.py shell -c "from mpp.surveys.demo import surveys_demo_generate; print(surveys_demo_generate())"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The demo agency system (examples/demo_agency) signing in with MPP: run `make demo` in
# another terminal first (MPP on PORT); the agency app listens on AGENCY_PORT.
AGENCY_PORT ?= 8180
demo-agency: venv
	mkdir -p var
	$(PY) manage.py oidc_demo_client --agency-url http://127.0.0.1:$(AGENCY_PORT) > var/demo-agency.env
	set -a && . ./var/demo-agency.env && set +a && \
		MPP_ISSUER=http://127.0.0.1:$(PORT)/oidc $(PY) examples/demo_agency/app.py

# Production mode on this machine against PostgreSQL (DEBUG=False, keys made once in
# var/prod/env, collectstatic, gunicorn over TLS with 3 workers, every worker loop by honcho).
# PROD_DEMO=1 also loads the demo malls and users. See docs/operations.md.
prod: venv
	PROD_DATABASE_URL=$(PROD_DATABASE_URL) deploy/prod-local.sh prepare
	deploy/prod-local.sh start

# The whole suite: unit, integration and browser tests (Debian's Chromium at /usr/bin/chromium).
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

deploy-check: venv
	mkdir -p var && test -f var/deploy-check-oidc.pem || openssl genpkey -algorithm RSA -out var/deploy-check-oidc.pem 2>/dev/null
	OIDC_RSA_PRIVATE_KEY_FILES=var/deploy-check-oidc.pem \
	DEBUG=False SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=mpp.example.go.id \
		CITIZEN_DATA_KEY=$$(head -c 32 /dev/urandom | base64) ACCESS_LOG_KEY=$$(head -c 32 /dev/urandom | base64) FACE_TEMPLATE_KEY=$$(head -c 32 /dev/urandom | base64) \
		MESSAGING_BACKEND=mpp.core.messaging.HttpGatewayBackend MESSAGING_GATEWAY_URL=https://sms.example.go.id/send \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: venv
	$(PY) bench/bench_load_regions.py

bench-queue: venv
	$(PY) bench/bench_queue.py

bench-report: venv
	$(PY) bench/report.py

bench-citizens: venv
	$(PY) bench/citizens.py

bench-face: venv
	$(PY) bench/face.py

bench-surveys: venv
	$(PY) bench/surveys_ikm.py --database-url postgres://postgres@127.0.0.1:5432/surveys_bench

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles

# Translations. Each helper-owned app keeps its own catalogue in mpp/<app>/locale/;
# the project catalogue (locale/) covers core, accounts, registry, visits and the templates.
APP_CATALOGUES := citizens surveys monitoring
messages: venv
	$(PY) manage.py makemessages -l id -l en --ignore=.venv --ignore=tests --ignore=scripts \
		--ignore=bench $(foreach a,$(APP_CATALOGUES),--ignore=mpp/$(a)/*)
	for a in $(APP_CATALOGUES); do (cd mpp/$$a && ../../$(PY) ../../manage.py makemessages -l id -l en) || exit 1; done
	$(PY) manage.py compilemessages --ignore=.venv
