//===- CApiTest.cpp - The C API's error paths ----------------------------===//

#include "PlanBuilder.h"

#include "dsc/dsc.h"

#include <gtest/gtest.h>

#include <string>

using namespace dsc::rt::test;

namespace {

/// Takes ownership of a status and returns its code and message.
std::pair<dsc_status_code, std::string> consume(dsc_status status) {
  std::pair<dsc_status_code, std::string> result{
      dsc_status_get_code(status), dsc_status_get_message(status)};
  dsc_status_destroy(status);
  return result;
}

} // namespace

TEST(CApi, NullStatusIsOk) {
  EXPECT_EQ(dsc_status_get_code(nullptr), DSC_OK);
  EXPECT_STREQ(dsc_status_get_message(nullptr), "");
  dsc_status_destroy(nullptr);
}

TEST(CApi, ValidateAcceptsAndRejects) {
  std::vector<uint8_t> bytes = vectorAddPlan().build();
  EXPECT_EQ(dsc_plan_validate(bytes.data(), bytes.size()), nullptr);

  auto [code, message] = consume(dsc_plan_validate(bytes.data(), 10));
  EXPECT_EQ(code, DSC_INVALID_PLAN);
  EXPECT_NE(message.find("truncated"), std::string::npos);

  TestPlan plan = vectorAddPlan();
  std::get<TestLaunch>(plan.steps[0]).kernel = 3;
  bytes = plan.build();
  std::tie(code, message) =
      consume(dsc_plan_validate(bytes.data(), bytes.size()));
  EXPECT_EQ(code, DSC_INVALID_PLAN);
  EXPECT_NE(message.find("step 0 (launch)"), std::string::npos);

  std::tie(code, message) = consume(dsc_plan_validate(nullptr, 5));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  std::tie(code, message) = consume(dsc_plan_validate(nullptr, 0));
  EXPECT_EQ(code, DSC_INVALID_PLAN);
}

TEST(CApi, NullArguments) {
  auto [code, message] = consume(dsc_runtime_create(0, nullptr, nullptr));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_NE(message.find("out"), std::string::npos);

  dsc_plan *plan = reinterpret_cast<dsc_plan *>(0x1);
  std::tie(code, message) =
      consume(dsc_plan_load_file(nullptr, "/tmp/x.plan", &plan));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_EQ(plan, nullptr);
  std::tie(code, message) =
      consume(dsc_plan_load_bytes(nullptr, "DSCP", 4, &plan));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  plan = reinterpret_cast<dsc_plan *>(0x1);
  std::tie(code, message) = consume(
      dsc_plan_load_file_tuned(nullptr, "/tmp/x.plan", DSC_TUNE_ALWAYS, &plan));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_NE(message.find("runtime"), std::string::npos);
  EXPECT_EQ(plan, nullptr);
  std::tie(code, message) =
      consume(dsc_plan_load_file_tuned(nullptr, "/tmp/x.plan", 9, &plan));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_NE(message.find("invalid tune mode 9"), std::string::npos);
  EXPECT_EQ(dsc_plan_num_library_gemms(nullptr), 0u);

  dsc_context *context = reinterpret_cast<dsc_context *>(0x1);
  std::tie(code, message) = consume(dsc_context_create(nullptr, 0, &context));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_EQ(context, nullptr);
  std::tie(code, message) =
      consume(dsc_context_run(nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  std::tie(code, message) = consume(
      dsc_context_run_host(nullptr, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  std::tie(code, message) = consume(dsc_plan_input_info(
      nullptr, 0, nullptr, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);

  std::tie(code, message) =
      consume(dsc_context_set_dimension(nullptr, "batch", 2));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_NE(message.find("context"), std::string::npos);
  const char *name = "unchanged";
  EXPECT_EQ(dsc_plan_symbolic_dim(nullptr, &name, nullptr, nullptr), 0);
  EXPECT_STREQ(name, "unchanged");
  EXPECT_EQ(dsc_plan_sample_axis(nullptr, 0, 0), -1);
  EXPECT_EQ(dsc_plan_is_string(nullptr, 1, 0), 0);

  EXPECT_EQ(dsc_plan_num_inputs(nullptr), 0u);
  EXPECT_EQ(dsc_plan_num_outputs(nullptr), 0u);
  EXPECT_EQ(dsc_plan_workspace_size(nullptr), 0u);
  dsc_runtime_destroy(nullptr);
  dsc_plan_destroy(nullptr);
  dsc_context_destroy(nullptr);
}

/// With a driver and device, loading errors are reported; without, the
/// runtime's creation says why.
TEST(CApi, RuntimeCreateAndLoadErrors) {
  dsc_runtime *runtime = nullptr;
  dsc_status status = dsc_runtime_create(0, nullptr, &runtime);
  if (status) {
    auto [code, message] = consume(status);
    EXPECT_EQ(runtime, nullptr);
    EXPECT_EQ(code, DSC_UNAVAILABLE);
    EXPECT_TRUE(message == "no CUDA driver (libcuda.so.1 not found)" ||
                message == "no CUDA device" ||
                message.find("cuInit") != std::string::npos)
        << message;
    return;
  }
  ASSERT_NE(runtime, nullptr);
  dsc_plan *plan = nullptr;
  auto [code, message] =
      consume(dsc_plan_load_file(runtime, "/nonexistent.plan", &plan));
  EXPECT_EQ(code, DSC_NOT_FOUND);
  EXPECT_NE(message.find("/nonexistent.plan"), std::string::npos);
  EXPECT_EQ(plan, nullptr);
  std::tie(code, message) =
      consume(dsc_plan_load_bytes(runtime, "garbage!garbage!", 16, &plan));
  EXPECT_EQ(code, DSC_INVALID_PLAN);
  dsc_runtime_destroy(runtime);

  std::tie(code, message) =
      consume(dsc_runtime_create(1000, nullptr, &runtime));
  EXPECT_EQ(code, DSC_INVALID_ARGUMENT);
  EXPECT_NE(message.find("out of range"), std::string::npos);
}
