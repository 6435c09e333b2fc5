# Sourced by the built-in buildpacks' bin/compile: their output, the config vars a build sees,
# and the toolchain rule they share.

# Build output as Heroku prints it: headings, indented tool output, warnings and errors.
heading() { echo "-----> $*"; }
indent() { sed -u 's/^/       /'; }
warn() { echo " !     Warning: $*"; }
fail() {
  echo " !     $*"
  exit 1
}

# export_config ENV_DIR: every config var reaches the build (build scripts read them, as on
# Heroku), except those that would break the build host's own tools.
export_config() {
  local env_dir="$1" file name
  [ -d "$env_dir" ] || return 0
  for file in "$env_dir"/*; do
    [ -f "$file" ] || continue
    name="$(basename "$file")"
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case "$name" in
      PATH | HOME | LANG | GIT_DIR | CPATH | CPPATH | LD_PRELOAD | LIBRARY_PATH | LD_LIBRARY_PATH | PYTHONHOME | BUILD_DIR | STACK | SOURCE_VERSION | SLIPWAY_*) continue ;;
    esac
    export "$name=$(cat "$file")"
  done
}

# The toolchain rule: a version the app asks for is used when the server has it (a folder of
# versions the operator configured); otherwise the build goes on with the server's default and
# says so in one line, naming both versions.
warn_version() {
  local tool="$1" wanted="$2" source="$3" used="$4" setting="$5"
  warn "$source asks for $tool $wanted, which this server does not have ($setting): using $tool $used"
}
