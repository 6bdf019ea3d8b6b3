# shellcheck shell=bash disable=SC2153 # SITES_DIR, PG_URL... are set by bench/run
# bench/lib/site.sh — seeded sites, cached between runs.
#
# A site is keyed by backend, size and a hash of the migrations, so a schema change reseeds. Its
# folder (SITES_DIR/KEY) holds the data folder (SQLite file, search index, secret key), the bench
# members' password and site.env, written last: a site without site.env is incomplete and is
# seeded again. On PostgreSQL the rows live in the database bench_SIZE_HASH on PG_URL.

MEMBERS=8 # bench members (bench1..bench8) who sign in to write in the mixed workload

migrations_hash() {
  (cd "$ROOT/migrations" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

# Runs one SQL statement on the site's database; rows as `a|b|c` lines.
sql() {
  case $BACKEND in
    sqlite) sqlite3 -batch -noheader "$SITE_DIR/guidepost.db" "$1" ;;
    postgres) psql -qAtX -v ON_ERROR_STOP=1 "$DB_URL" -c "$1" ;;
  esac
}

guidepost() {
  GUIDEPOST_DATA_DIR="$SITE_DIR" GUIDEPOST_DATABASE_URL="$DB_URL" RUST_LOG=warn "$GUIDEPOST" "$@"
}

# Sets BACKEND, SITE_DIR and DB_URL for a site and makes sure it is seeded and prepared.
prepare_site() {
  BACKEND=$1
  local size=$2 questions hash key stale
  questions=$(questions_of "$size")
  hash=$(migrations_hash)
  key="$BACKEND-$questions-$hash"
  SITE_DIR="$SITES_DIR/$key"
  case $BACKEND in
    sqlite) DB_URL="sqlite://$SITE_DIR/guidepost.db" ;;
    postgres) DB_URL="$PG_URL/bench_${questions}_$hash" ;;
  esac
  # Sites of this backend and size from older schemas only take disk space.
  for stale in "$SITES_DIR/$BACKEND-$questions-"*; do
    [[ -e $stale && $stale != "$SITE_DIR" ]] || continue
    log "removing $stale (older migrations)"
    rm -rf "$stale"
    if [[ $BACKEND == postgres ]]; then
      psql -qAtX "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS bench_${questions}_${stale##*-}" >/dev/null
    fi
  done
  if [[ -f $SITE_DIR/site.env && $RESEED == 0 ]]; then
    log "$key: cached"
  else
    seed_site "$questions"
  fi
  # shellcheck source=/dev/null
  source "$SITE_DIR/site.env"
}

seed_site() {
  local questions=$1 started
  log "$(basename "$SITE_DIR"): seeding $questions questions"
  rm -rf "$SITE_DIR"
  mkdir -p "$SITE_DIR"
  if [[ $BACKEND == postgres ]]; then
    local db=${DB_URL##*/}
    psql -qAtX -v ON_ERROR_STOP=1 "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" \
      >/dev/null || die "cannot create database $db on $PG_URL (set BENCH_POSTGRES_URL, or --backends sqlite)"
  fi
  started=$(now_ns)
  guidepost seed --questions "$questions" >"$SITE_DIR/seed.log" 2>&1 || {
    tail -n 20 "$SITE_DIR/seed.log" >&2
    die "seeding failed"
  }
  log "seeded in $((($(now_ns) - started) / 1000000000)) s"
  create_members
  start_server "$SITE_DIR/prepare.log"
  complete_question_page
  write_samples
  stop_server
}

# Members with a password (random, kept in the site folder, readable only by its owner).
create_members() {
  local password_file="$SITE_DIR/bench-password" n
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$password_file")
  for n in $(seq "$MEMBERS"); do
    guidepost user create --username "bench$n" --email "bench$n@bench.example" --role member \
      --password-stdin <"$password_file" >/dev/null
  done
}

# Signs member N in; prints the Cookie header value and the CSRF token, tab-separated.
sign_in() {
  local n=$1 jar="$RUN_DIR/jar-$1" page="$RUN_DIR/page-$1" token status
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" -o "$page" "$BASE/login"
  token=$(csrf_of "$page")
  status=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "login=bench$n" --data-urlencode "password@$SITE_DIR/bench-password" \
    --data-urlencode "csrf_token=$token" "$BASE/login")
  [[ $status == 303 ]] || die "bench$n could not sign in (HTTP $status)"
  # Sign-in renews the CSRF token; the next page with a form carries the new one.
  curl -fs -c "$jar" -b "$jar" -o "$page" "$BASE/ask"
  token=$(csrf_of "$page")
  printf '%s\t%s\n' "$(cookie_header "$jar")" "$token"
}

csrf_of() {
  grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'
}

# A curl cookie jar as one Cookie header value (HttpOnly cookies carry a #HttpOnly_ prefix).
cookie_header() {
  awk -F'\t' '(!/^#/ || /^#HttpOnly_/) && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$1"
}

# The measured page: the open question with the most answers, topped up to 10 answers by bench
# members, each new answer with a comment. Written to site.env as QUESTION_ID/QUESTION_PATH.
complete_question_page() {
  local row id slug answers cookie csrf n answer
  row=$(sql "SELECT id, slug, answer_count FROM posts WHERE kind = 'question' AND deleted_at IS NULL
             AND closed_at IS NULL AND locked_at IS NULL ORDER BY answer_count DESC, comment_count DESC, id
             LIMIT 1")
  IFS='|' read -r id slug answers <<<"$row"
  [[ -n $id ]] || die "the seeded site has no open question"
  n=1
  while ((answers < 10)); do
    IFS=$'\t' read -r cookie csrf < <(sign_in "$n")
    answer=$(curl -fs -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Accept: application/json' \
      --data-urlencode "body=Answer $((answers + 1)) from a bench member: restart the service after changing \
the setting, then check the log for the line that names the *new* value. If it is missing, the old \
configuration file is still being read; \`--config\` shows which one." "$BASE/questions/$id/answers" |
      sed -n 's/.*"answer_id":\([0-9]*\).*/\1/p')
    [[ -n $answer ]] || die "bench$n could not answer question $id"
    curl -fs -o /dev/null -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Accept: application/json' \
      --data-urlencode "body=Thanks, this worked for me on version $n after a restart." \
      "$BASE/posts/$answer/comments" || die "bench$n could not comment on answer $answer"
    answers=$((answers + 1))
    n=$((n % MEMBERS + 1))
  done
  {
    printf 'QUESTION_ID=%q\nQUESTION_PATH=%q\n' "$id" "/questions/$id/$slug"
  } >"$SITE_DIR/site.env.partial"
}

# What the other measurements ask for: a popular tag, a search, a similar-title probe, and
# samples of open questions and posts for the mixed workload (never the measured question).
write_samples() {
  local id tag title words questions last_page
  id=$(sed -n 's/^QUESTION_ID=//p' "$SITE_DIR/site.env.partial")
  tag=$(sql "SELECT name FROM tags ORDER BY question_count DESC, name LIMIT 1")
  title=$(sql "SELECT title FROM posts WHERE id = $id")
  # The question's two longest words: a search with a few hundred to thousands of hits.
  words=$(tr -cs '[:alnum:]' '\n' <<<"$title" | awk '{ print length, tolower($0) }' | sort -rn | head -n 2 |
    cut -d' ' -f2 | paste -sd+)
  questions=$(sql "SELECT COUNT(*) FROM posts WHERE kind = 'question'")
  last_page=$(((questions + 29) / 30))
  {
    cat "$SITE_DIR/site.env.partial"
    printf 'TAG=%q\nSEARCH=%q\nSIMILAR_TITLE=%q\nDEEP_PAGE=%q\n' "$tag" "$words" "$title" \
      "$((last_page < 500 ? last_page : 500))"
  } >"$SITE_DIR/site.env.next"
  sql "SELECT id, slug FROM posts WHERE kind = 'question' AND deleted_at IS NULL AND closed_at IS NULL
       AND locked_at IS NULL AND id <> $id ORDER BY random() LIMIT 1000" >"$SITE_DIR/sample-questions"
  sql "SELECT id FROM posts WHERE deleted_at IS NULL AND (id IN ($(cut -d'|' -f1 "$SITE_DIR/sample-questions" |
       paste -sd,)) OR question_id IN ($(cut -d'|' -f1 "$SITE_DIR/sample-questions" | paste -sd,)))" \
    >"$SITE_DIR/sample-posts"
  mv "$SITE_DIR/site.env.next" "$SITE_DIR/site.env"
  rm -f "$SITE_DIR/site.env.partial"
}
