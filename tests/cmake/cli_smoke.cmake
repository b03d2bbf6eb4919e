# cmake -DPUPPIES=<puppies binary> -DWORK_DIR=<scratch dir> -P cli_smoke.cmake
#
# Drives the `puppies` tool through each subcommand on a fresh database and checks its exit
# codes: 0 on success, 1 for an engine error or a failed check, 2 for a usage error.
cmake_minimum_required(VERSION 3.25)
foreach(var PUPPIES WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "cli_smoke.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(db "${WORK_DIR}/db")

# run(<expected exit code> <output regex> args...): runs puppies, checks code and output.
function(run expected_rc pattern)
  execute_process(COMMAND "${PUPPIES}" ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(all "${out}${err}")
  list(JOIN ARGN " " command)
  if(NOT rc EQUAL expected_rc OR NOT all MATCHES "${pattern}")
    message(FATAL_ERROR "puppies ${command}\nexit ${rc} (expected ${expected_rc}), output "
                        "should match '${pattern}':\n${all}")
  endif()
  message(STATUS "ok: puppies ${command}")
endfunction()

# A SNAP-style edge list: comments, tab and space separators, a self-loop.
file(WRITE "${WORK_DIR}/edges.txt" "# Directed graph\n# FromNodeId\tToNodeId\n0\t1\n1 2\n2\t0\n3 3\n")

run(2 "--db" init)                                        # missing --db
run(2 "unknown command 'nonsense'; puppies takes one of: init, import" nonsense --db "${db}")
run(2 "unknown command 'frob'; user takes one of: create, get" user frob --db "${db}")
run(1 "^error: not_found" check --db "${db}")             # no database yet
run(0 "created" init --db "${db}")
run(1 "^error: already_exists" init --db "${db}")
run(0 "edges added: +3 of 3 submitted" import --db "${db}" "${WORK_DIR}/edges.txt")
run(0 "self-loops skipped: 1" import --db "${db}" "${WORK_DIR}/edges.txt" --mutual)
run(1 "^error: io_error" import --db "${db}" "${WORK_DIR}/missing.txt")
# gzip: a whole file imports; a truncated one and one with data after the stream are errors; a
# bad line is echoed escaped.
file(ARCHIVE_CREATE OUTPUT "${WORK_DIR}/edges.txt.gz" PATHS "${WORK_DIR}/edges.txt" FORMAT raw
     COMPRESSION GZip)
run(0 "edges added: +0 of 3 submitted" import --db "${db}" "${WORK_DIR}/edges.txt.gz")
file(SIZE "${WORK_DIR}/edges.txt.gz" gz_size)
foreach(cut 12 20 30)
  if(cut LESS gz_size)
    execute_process(COMMAND head -c ${cut} "${WORK_DIR}/edges.txt.gz"
                    OUTPUT_FILE "${WORK_DIR}/cut.gz" COMMAND_ERROR_IS_FATAL ANY)
    run(1 "^error: io_error: .*cut.gz: unexpected end of file" import --db "${db}" "${WORK_DIR}/cut.gz")
  endif()
endforeach()
execute_process(COMMAND sh -c "cat '${WORK_DIR}/edges.txt.gz'; echo garbage"
                OUTPUT_FILE "${WORK_DIR}/tail.gz" COMMAND_ERROR_IS_FATAL ANY)
run(1 "^error: invalid_argument: .*tail.gz: data after the end of the gzip stream" import --db "${db}" "${WORK_DIR}/tail.gz")
execute_process(COMMAND sh -c "cat '${WORK_DIR}/edges.txt.gz' '${WORK_DIR}/edges.txt.gz'"
                OUTPUT_FILE "${WORK_DIR}/two.gz" COMMAND_ERROR_IS_FATAL ANY)
run(0 "edges read: +8" import --db "${db}" "${WORK_DIR}/two.gz")
string(ASCII 27 esc)
file(WRITE "${WORK_DIR}/bad.txt" "0 1\nx\ty${esc}[31m\n")
run(1 "bad.txt:2: expected two node ids, got 'x\\\\ty\\\\u{1b}\\[31m'" import --db "${db}" "${WORK_DIR}/bad.txt")
run(0 "^[0-9]+\n$" user create --db "${db}" alice --display-name "Alice")
run(1 "^error: already_exists" user create --db "${db}" ALICE)
run(1 "^error: invalid_argument" user create --db "${db}" "not a name")
run(0 "username: +alice" user get --db "${db}" @alice)
run(0 "followers: +2" user get --db "${db}" n0)
run(1 "^error: not_found" user get --db "${db}" nobody)
run(0 "^[0-9]+\n$" post --db "${db}" --author n1 --text "hello from n1")
# "#id" is an id, anything else a username: a user named 1 is not user id 1.
run(0 "^[0-9]+\n$" user create --db "${db}" 1)
run(0 "username: +1\n" user get --db "${db}" 1)
run(0 "username: +n0\n" user get --db "${db}" "#1")
run(2 "is not a user id" user get --db "${db}" "#x")
run(0 "^[0-9]+\n$" post --db "${db}" --author 1 --text "two\nlines\tand a tab")
run(0 "@1  two\\\\nlines\\\\tand a tab\n" timeline --db "${db}" --user @1)
run(0 "@n1  hello from n1" feed --db "${db}" --user n0)
run(0 "@n1  hello from n1" timeline --db "${db}" --user n1 --limit 5)
run(1 "^error: invalid_argument" feed --db "${db}" --user n0 --limit 0)
run(1 "^error: invalid_argument" feed --db "${db}" --user n0 --cursor "not-a-cursor")
execute_process(COMMAND "${PUPPIES}" post --db "${db}" --author n0 --text "comment on me"
                OUTPUT_VARIABLE commented_post OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
run(0 "^[0-9]+\n$" comment add --db "${db}" --author n1 --post ${commented_post} --text "first comment")
run(1 "^error: not_found" comment add --db "${db}" --author n1 --post 12345 --text "x")
run(1 "^error: invalid_argument" comment add --db "${db}" --author n1 --post ${commented_post} --text "  ")
run(0 "@n1  first comment\n\\(end, 1 comments on this page\\)" comment list --db "${db}" --post ${commented_post})
run(2 "unknown command 'frob'; comment takes one of: add, list" comment frob --db "${db}")
run(0 "^changed\n$" bookmark add --db "${db}" --user n1 --post ${commented_post})
run(0 "^unchanged\n$" bookmark add --db "${db}" --user n1 --post ${commented_post})
run(0 "comment on me" bookmark list --db "${db}" --user n1)
run(1 "^error: not_found" bookmark add --db "${db}" --user n1 --post 12345)
run(0 "^changed\n$" bookmark remove --db "${db}" --user n1 --post ${commented_post})
run(0 "^unchanged\n$" bookmark remove --db "${db}" --user n1 --post ${commented_post})
execute_process(COMMAND "${PUPPIES}" post --db "${db}" --author n1 --text "#Smoke and mirrors"
                COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND "${PUPPIES}" post --db "${db}" --author n1 --text "a reply" --reply-to ${commented_post}
                OUTPUT_VARIABLE reply OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
run(0 "@n1  \\(re ${commented_post}\\)  a reply\n\\(end, 1 posts on this page\\)" replies --db "${db}" --post ${commented_post})
run(0 "^${commented_post} .*@n0  comment on me\n${reply} .*@n1  \\(re ${commented_post}\\)  a reply\n$" thread --db "${db}" --post ${reply})
run(1 "^error: not_found" post --db "${db}" --author n1 --text "x" --reply-to 12345)
run(1 "^error: not_found" replies --db "${db}" --post 12345)
run(0 "^${reply} .*@n1  \\(re ${commented_post}\\)  an edited reply\n$" edit --db "${db}" --author n1 --post ${reply} --text "an edited reply")
run(1 "^error: permission_denied" edit --db "${db}" --author n0 --post ${reply} --text "x")
run(0 "an edited reply" replies --db "${db}" --post ${commented_post})
run(0 "@n1  #Smoke and mirrors\n\\(end, 1 posts on this page\\)" hashtag --db "${db}" --tag "#smoke" --limit 5)
run(0 "^\\(end, 0 posts on this page\\)" hashtag --db "${db}" --tag nothing)
run(1 "^error: invalid_argument" hashtag --db "${db}" --tag "2024")
run(0 "fanout_entries" stats --db "${db}")
run(0 "ok: no violations" check --db "${db}")
run(0 "0 fixes\nok: no violations" repair --db "${db}")
file(REMOVE_RECURSE "${WORK_DIR}")
