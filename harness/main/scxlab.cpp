#include "harness/cli.hpp"

int main(int argc, char** argv) { return scxlab::harness::run_cli(argc, argv); }
